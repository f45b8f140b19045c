/**
 * Named steps where the local cloud can kill the runtime on demand (docs/local-cloud.md, "Faults
 * on demand"), so a test or an operator can rehearse a crash between any two writes. Core calls
 * `fault(step)` at each step; in AWS the hook is a no-op.
 */
export type FaultStep =
  /** Stripe event handling: the event is claimed (its in-progress record written), nothing done yet. */
  | 'event:received'
  /** After the payment is recorded, before anything acts on it. */
  | 'event:payment-recorded'
  /** After a refund or dispute revoked the tokens, before the order's state says so. */
  | 'event:tokens-revoked'
  /** After the order's refunded/disputed state is written. */
  | 'event:order-marked'
  /** After our own refund went to Stripe, before the email about it. */
  | 'event:refund-sent'
  /** The email about a refund is out, its once-marker not yet written (a retry sends it again). */
  | 'event:customer-emailed'
  /** Delivery: the claim is taken. */
  | 'delivery:claimed'
  /** The token item is written, the email not yet sent. */
  | 'delivery:token-written'
  /** The email is out, the order not yet marked delivered. */
  | 'delivery:sent'
  /** Broadcast: one recipient's email is out, its "sent" marker not yet written (core/broadcast.ts). */
  | 'broadcast:sent'
  /** The job's steps are named by core/job.ts. */
  | `job:${string}`;

export type Fault = (step: FaultStep) => void | Promise<void>;

export const noFault: Fault = () => undefined;
