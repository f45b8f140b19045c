/** Shared test data for unit tests: a valid runtime config document and a paid Checkout Session. */
import type { SessionFacts } from '../../lambdas/core/payment';

export const validConfigDocument = {
  tableName: 't',
  bucketName: 'b',
  siteUrl: 'https://shop.example.com',
  product: { name: 'Report', description: '' },
  price: { amount: 900, currency: 'usd' },
  maxUploadBytes: 1000,
  acceptedExtensions: ['.csv'],
  downloadLimit: 5,
  linkTtlHours: 168,
  senderEmail: 'orders@example.com',
  stripe: { paymentLinkId: 'plink_123', paymentLinkUrl: 'https://buy.stripe.com/test_1' },
};

export const paidSession = (overrides: Partial<SessionFacts> = {}): SessionFacts => ({
  id: 'cs_test_a1',
  client_reference_id: '3b241101-e2bb-4255-8caf-4136c566a962',
  payment_link: 'plink_1',
  amount_total: 900,
  currency: 'usd',
  livemode: false,
  payment_status: 'paid',
  status: 'complete',
  payment_intent: 'pi_1',
  customer_details: { email: 'payer@example.com' },
  ...overrides,
});
