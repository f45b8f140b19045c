/**
 * What handleStripeEvent (and the sweeper, the checkout-session lookup) need, wired to the real
 * adapters, with the Stripe client loaded at init: these handlers talk to Stripe on every call.
 */
import type { EventDeps } from '../core/stripe-events';
import { once } from './clients';
import { eventPorts } from './event-ports';
import { payments } from './stripe-payments';

export const eventDeps = once((): EventDeps => eventPorts(payments()));
