import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../lambdas/core/ids';
import { checkSession, payUrlFor, payerEmailOf, paymentStateOf, type SessionFacts } from '../../../lambdas/core/payment';
import { paidSession } from '../fixtures';

const orderId = '3b241101-e2bb-4255-8caf-4136c566a962';
const session = paidSession({ client_reference_id: orderId, customer_email: 'prefilled@example.com' });
const expected = { amount: 900, currency: 'usd', livemode: false, paymentLinkId: 'plink_1' };

describe('checkSession', () => {
  it('accepts a session that matches config', () => {
    expect(checkSession(session, expected)).toEqual({ ok: true, orderId });
  });

  it.each([
    ['no order reference', { client_reference_id: null }, 'no_order_reference'],
    ['a reference that is not an order id', { client_reference_id: 'hello' }, 'no_order_reference'],
    ['another payment link', { payment_link: 'plink_2' }, 'payment_link_mismatch'],
    ['no payment link', { payment_link: null }, 'payment_link_mismatch'],
    ['another amount', { amount_total: 899 }, 'amount_mismatch'],
    ['another currency', { currency: 'eur' }, 'currency_mismatch'],
    ['live mode', { livemode: true }, 'livemode_mismatch'],
  ])('refuses %s', (_name, patch, reason) => {
    expect(checkSession({ ...session, ...patch } as SessionFacts, expected)).toEqual({ ok: false, reason });
  });

  it('accepts an expanded payment_link object', () => {
    expect(checkSession({ ...session, payment_link: { id: 'plink_1' } }, expected).ok).toBe(true);
  });

  it('in checkout-session mode requires the order’s own session', () => {
    const mode = { amount: 900, currency: 'usd', livemode: false, orderSessionId: 'cs_test_a1' };
    expect(checkSession({ ...session, payment_link: null }, mode).ok).toBe(true);
    expect(checkSession({ ...session, id: 'cs_test_other' }, mode)).toEqual({ ok: false, reason: 'session_mismatch' });
  });
});

describe('session facts', () => {
  it('maps payment_status to the order payment state', () => {
    expect(paymentStateOf(session)).toBe('paid');
    expect(paymentStateOf({ ...session, payment_status: 'unpaid' })).toBe('pending');
  });

  it('emails the payer, not the prefilled address', () => {
    expect(payerEmailOf(session)).toBe('payer@example.com');
    expect(payerEmailOf({ ...session, customer_details: null })).toBe('prefilled@example.com');
  });

  it('builds the pay URL with the order id and no email (anyone with the order id reads it)', () => {
    const url = new URL(payUrlFor('http://127.0.0.1:1/pay/plink_1', orderId as OrderId));
    expect(url.searchParams.get('client_reference_id')).toBe(orderId);
    expect(url.searchParams.has('prefilled_email')).toBe(false);
    expect(url.href).not.toContain('@');
  });
});
