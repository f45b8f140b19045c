import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62, like the tail of Stripe's ids. */
export function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    // 248 = 4 × 62: rejecting the rest keeps the distribution uniform.
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out.length === length ? out : out + randomBase62(length - out.length);
}

/** Id prefixes and lengths modelled on real test-mode ids (`cs_test_a1…` is 66 characters). */
export const newId = {
  product: () => `prod_${randomBase62(14)}`,
  price: () => `price_${randomBase62(24)}`,
  paymentLink: () => `plink_${randomBase62(24)}`,
  checkoutSession: () => `cs_test_a1${randomBase62(56)}`,
  paymentIntent: () => `pi_${randomBase62(24)}`,
  charge: () => `ch_${randomBase62(24)}`,
  paymentMethod: () => `pm_${randomBase62(24)}`,
  event: () => `evt_${randomBase62(24)}`,
  webhookEndpoint: () => `we_${randomBase62(24)}`,
  webhookSecret: () => `whsec_${randomBase62(32)}`,
  refund: () => `re_${randomBase62(24)}`,
  dispute: () => `du_${randomBase62(24)}`,
  request: () => `req_${randomBase62(14)}`,
  lineItem: () => `li_${randomBase62(24)}`,
  balanceTransaction: () => `txn_${randomBase62(24)}`,
};
