/**
 * Factories for the Stripe objects the stand-in serves, shaped like API version 2023-08-16
 * (the version of the schemas in ../shared/stripe). Every field the schema requires is present;
 * fields for features the stand-in does not model hold Stripe's own "off" values (null, [],
 * `{enabled:false}`), so code written against these objects also reads real ones.
 */
import { newId } from './ids.js';

export const API_VERSION = '2023-08-16';

export type Metadata = Record<string, string>;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface Product {
  [key: string]: unknown;
  id: string;
  object: 'product';
  active: boolean;
  created: number;
  updated: number;
  name: string;
  description: string | null;
  default_price: string | null;
  metadata: Metadata;
}

export function makeProduct(input: {
  name: string;
  description?: string | null;
  active?: boolean;
  metadata?: Metadata;
  images?: string[];
  url?: string | null;
  id?: string;
}): Product {
  const created = nowSeconds();
  return {
    id: input.id ?? newId.product(),
    object: 'product',
    active: input.active ?? true,
    attributes: [],
    created,
    default_price: null,
    description: input.description ?? null,
    features: [],
    images: input.images ?? [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata ?? {},
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: 'service',
    unit_label: null,
    updated: created,
    url: input.url ?? null,
  };
}

export interface Price {
  [key: string]: unknown;
  id: string;
  object: 'price';
  active: boolean;
  created: number;
  currency: string;
  product: string;
  unit_amount: number;
  metadata: Metadata;
  nickname: string | null;
  lookup_key: string | null;
}

export function makePrice(input: {
  currency: string;
  unitAmount: number;
  product: string;
  active?: boolean;
  nickname?: string | null;
  lookupKey?: string | null;
  metadata?: Metadata;
  taxBehavior?: string;
}): Price {
  return {
    id: newId.price(),
    object: 'price',
    active: input.active ?? true,
    billing_scheme: 'per_unit',
    created: nowSeconds(),
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookupKey ?? null,
    metadata: input.metadata ?? {},
    nickname: input.nickname ?? null,
    product: input.product,
    recurring: null,
    tax_behavior: input.taxBehavior ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'one_time',
    unit_amount: input.unitAmount,
    unit_amount_decimal: String(input.unitAmount),
  };
}

/** What a link or session sells; kept beside the object (Stripe exposes it via `line_items`). */
export interface LineItemSpec {
  price: string;
  quantity: number;
}

export type AfterCompletion =
  | { type: 'redirect'; redirect: { url: string } }
  | { type: 'hosted_confirmation'; hosted_confirmation: { custom_message: string | null } };

export interface PaymentLink {
  [key: string]: unknown;
  id: string;
  object: 'payment_link';
  active: boolean;
  after_completion: AfterCompletion;
  currency: string;
  metadata: Metadata;
  url: string;
  created: number;
}

const OFF_INVOICE_CREATION = {
  enabled: false,
  invoice_data: {
    account_tax_ids: null,
    custom_fields: null,
    description: null,
    footer: null,
    metadata: {},
    rendering_options: null,
  },
};

const EMPTY_CUSTOM_TEXT = { shipping_address: null, submit: null, terms_of_service_acceptance: null };

export function makePaymentLink(input: {
  id: string;
  url: string;
  currency: string;
  afterCompletion: AfterCompletion;
  metadata?: Metadata;
  active?: boolean;
  allowPromotionCodes?: boolean;
  billingAddressCollection?: 'auto' | 'required';
  customerCreation?: 'always' | 'if_required';
  submitType?: 'auto' | 'book' | 'donate' | 'pay';
  paymentMethodTypes?: string[] | null;
}): PaymentLink {
  return {
    id: input.id,
    object: 'payment_link',
    active: input.active ?? true,
    after_completion: input.afterCompletion,
    allow_promotion_codes: input.allowPromotionCodes ?? false,
    application: null,
    application_fee_amount: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false },
    billing_address_collection: input.billingAddressCollection ?? 'auto',
    consent_collection: null,
    // Not a field of Stripe's payment_link; kept (and documented) so lists can be ordered and
    // filtered like every other object here. Stripe's schemas allow extra fields.
    created: nowSeconds(),
    currency: input.currency,
    custom_fields: [],
    custom_text: EMPTY_CUSTOM_TEXT,
    customer_creation: input.customerCreation ?? 'if_required',
    inactive_message: null,
    invoice_creation: OFF_INVOICE_CREATION,
    livemode: false,
    metadata: input.metadata ?? {},
    on_behalf_of: null,
    payment_intent_data: null,
    payment_method_collection: 'always',
    payment_method_types: input.paymentMethodTypes ?? null,
    phone_number_collection: { enabled: false },
    restrictions: null,
    shipping_address_collection: null,
    shipping_options: [],
    submit_type: input.submitType ?? 'auto',
    subscription_data: null,
    tax_id_collection: { enabled: false },
    transfer_data: null,
    url: input.url,
  };
}

export type SessionStatus = 'open' | 'complete' | 'expired';
export type SessionPaymentStatus = 'paid' | 'unpaid' | 'no_payment_required';

export interface CustomerDetails {
  address: null;
  email: string | null;
  name: string | null;
  phone: string | null;
  tax_exempt: 'none';
  tax_ids: [];
}

export interface CheckoutSession {
  [key: string]: unknown;
  id: string;
  object: 'checkout.session';
  created: number;
  expires_at: number;
  status: SessionStatus;
  payment_status: SessionPaymentStatus;
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  customer_email: string | null;
  customer_details: CustomerDetails | null;
  payment_link: string | null;
  payment_intent: string | null;
  metadata: Metadata;
  success_url: string | null;
  cancel_url: string | null;
  url: string | null;
}

/** Checkout Sessions live 24 hours unless `expires_at` says otherwise. */
export const SESSION_LIFETIME_SECONDS = 24 * 60 * 60;

export function makeCheckoutSession(input: {
  id?: string;
  amount: number;
  currency: string;
  clientReferenceId: string | null;
  customerEmail: string | null;
  paymentLink: string | null;
  metadata: Metadata;
  successUrl: string | null;
  cancelUrl: string | null;
  url: string | null;
  expiresAt?: number;
  paymentMethodTypes: string[];
  customerCreation: 'always' | 'if_required' | null;
  allowPromotionCodes: boolean | null;
  billingAddressCollection: 'auto' | 'required' | null;
  submitType: string | null;
}): CheckoutSession {
  const created = nowSeconds();
  return {
    id: input.id ?? newId.checkoutSession(),
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: input.allowPromotionCodes,
    amount_subtotal: input.amount,
    amount_total: input.amount,
    automatic_tax: { enabled: false, status: null },
    billing_address_collection: input.billingAddressCollection,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    consent: null,
    consent_collection: null,
    created,
    currency: input.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: EMPTY_CUSTOM_TEXT,
    customer: null,
    customer_creation: input.customerCreation,
    customer_details: null,
    customer_email: input.customerEmail,
    expires_at: input.expiresAt ?? created + SESSION_LIFETIME_SECONDS,
    invoice: null,
    invoice_creation: OFF_INVOICE_CREATION,
    livemode: false,
    locale: null,
    metadata: input.metadata,
    mode: 'payment',
    payment_intent: null,
    payment_link: input.paymentLink,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: input.paymentMethodTypes,
    payment_status: 'unpaid',
    phone_number_collection: { enabled: false },
    recovered_from: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_details: null,
    shipping_options: [],
    status: 'open',
    submit_type: input.submitType,
    subscription: null,
    success_url: input.successUrl,
    tax_id_collection: { enabled: false },
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: input.url,
  };
}

export function makeCustomerDetails(email: string): CustomerDetails {
  return { address: null, email, name: null, phone: null, tax_exempt: 'none', tax_ids: [] };
}

/** Checkout's line item (`object: 'item'`), as `expand[]=line_items` returns it. */
export function makeCheckoutLineItem(price: Price, productName: string, quantity: number): Record<string, unknown> {
  const amount = price.unit_amount * quantity;
  return {
    id: newId.lineItem(),
    object: 'item',
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: price.currency,
    description: productName,
    price,
    quantity,
  };
}

export type PaymentMethodKind = 'card' | 'sepa_debit';

export interface PaymentIntent {
  [key: string]: unknown;
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  created: number;
  status: 'processing' | 'succeeded' | 'requires_payment_method' | 'canceled';
  latest_charge: string | null;
  metadata: Metadata;
}

export function makePaymentIntent(input: {
  amount: number;
  currency: string;
  paymentMethod: string;
  kind: PaymentMethodKind;
  receiptEmail: string | null;
  status: PaymentIntent['status'];
  metadata?: Metadata;
}): PaymentIntent {
  return {
    id: newId.paymentIntent(),
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: input.status === 'succeeded' ? input.amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: null,
    confirmation_method: 'automatic',
    created: nowSeconds(),
    currency: input.currency,
    customer: null,
    description: null,
    invoice: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: input.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: input.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: [input.kind],
    processing: null,
    receipt_email: input.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export interface Charge {
  [key: string]: unknown;
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  created: number;
  paid: boolean;
  refunded: boolean;
  disputed: boolean;
  status: 'succeeded' | 'pending' | 'failed';
  payment_intent: string;
  metadata: Metadata;
  failure_code: string | null;
  failure_message: string | null;
}

export function makeCharge(input: {
  amount: number;
  currency: string;
  paymentIntent: string;
  paymentMethod: string;
  kind: PaymentMethodKind;
  last4: string;
  email: string;
  status: Charge['status'];
}): Charge {
  const succeeded = input.status === 'succeeded';
  const details =
    input.kind === 'card'
      ? {
          type: 'card',
          card: {
            brand: 'visa',
            checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
            country: 'US',
            exp_month: 12,
            exp_year: new Date().getUTCFullYear() + 3,
            fingerprint: null,
            funding: 'credit',
            installments: null,
            last4: input.last4,
            mandate: null,
            network: 'visa',
            network_token: null,
            three_d_secure: null,
            wallet: null,
          },
        }
      : {
          type: 'sepa_debit',
          sepa_debit: {
            bank_code: '37040044',
            branch_code: null,
            country: 'DE',
            fingerprint: null,
            last4: input.last4,
            mandate: null,
          },
        };
  return {
    id: newId.charge(),
    object: 'charge',
    amount: input.amount,
    amount_captured: succeeded ? input.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: succeeded ? newId.balanceTransaction() : null,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: input.email,
      name: null,
      phone: null,
    },
    calculated_statement_descriptor: 'UPLOCK LOCAL',
    captured: succeeded,
    created: nowSeconds(),
    currency: input.currency,
    customer: null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    invoice: null,
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: succeeded,
    payment_intent: input.paymentIntent,
    payment_method: input.paymentMethod,
    payment_method_details: details,
    radar_options: {},
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface Refund {
  [key: string]: unknown;
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  payment_intent: string;
  currency: string;
  created: number;
  reason: RefundReason | null;
  status: 'succeeded';
  metadata: Metadata;
}

export function makeRefund(input: {
  charge: Charge;
  amount: number;
  reason: RefundReason | null;
  metadata: Metadata;
}): Refund {
  return {
    id: newId.refund(),
    object: 'refund',
    amount: input.amount,
    balance_transaction: newId.balanceTransaction(),
    charge: input.charge.id,
    created: nowSeconds(),
    currency: input.charge.currency,
    destination_details: { type: 'card', card: { type: 'refund' } },
    metadata: input.metadata,
    payment_intent: input.charge.payment_intent,
    reason: input.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export interface Dispute {
  [key: string]: unknown;
  id: string;
  object: 'dispute';
  amount: number;
  charge: string;
  payment_intent: string;
  reason: string;
  status: string;
  created: number;
}

export function makeDispute(charge: Charge): Dispute {
  const created = nowSeconds();
  return {
    id: newId.dispute(),
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    evidence: {
      access_activity_log: null,
      billing_address: null,
      cancellation_policy: null,
      cancellation_policy_disclosure: null,
      cancellation_rebuttal: null,
      customer_communication: null,
      customer_email_address: null,
      customer_name: null,
      customer_purchase_ip: null,
      customer_signature: null,
      duplicate_charge_documentation: null,
      duplicate_charge_explanation: null,
      duplicate_charge_id: null,
      product_description: null,
      receipt: null,
      refund_policy: null,
      refund_policy_disclosure: null,
      refund_refusal_explanation: null,
      service_date: null,
      service_documentation: null,
      shipping_address: null,
      shipping_carrier: null,
      shipping_date: null,
      shipping_documentation: null,
      shipping_tracking_number: null,
      uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: { due_by: created + 7 * 24 * 3600, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: { card: { brand: 'visa', network_reason_code: '10.4' }, type: 'card' },
    reason: 'fraudulent',
    status: 'needs_response',
  };
}

export interface WebhookEndpoint {
  [key: string]: unknown;
  id: string;
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  secret: string;
  status: 'enabled' | 'disabled';
  created: number;
  metadata: Metadata;
}

export function makeWebhookEndpoint(input: {
  url: string;
  enabledEvents: string[];
  secret: string;
  description: string | null;
  metadata: Metadata;
  apiVersion: string | null;
}): WebhookEndpoint {
  return {
    id: newId.webhookEndpoint(),
    object: 'webhook_endpoint',
    api_version: input.apiVersion,
    application: null,
    created: nowSeconds(),
    description: input.description,
    enabled_events: input.enabledEvents,
    livemode: false,
    metadata: input.metadata,
    secret: input.secret,
    status: 'enabled',
    url: input.url,
  };
}

export interface StripeEvent {
  [key: string]: unknown;
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export function makeEvent(input: {
  type: string;
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown>;
  request?: { id: string | null; idempotency_key: string | null };
  pendingWebhooks: number;
}): StripeEvent {
  const data: StripeEvent['data'] = { object: structuredClone(input.object) };
  if (input.previousAttributes) data.previous_attributes = input.previousAttributes;
  return {
    id: newId.event(),
    object: 'event',
    api_version: API_VERSION,
    created: nowSeconds(),
    data,
    livemode: false,
    pending_webhooks: input.pendingWebhooks,
    request: input.request ?? { id: null, idempotency_key: null },
    type: input.type,
  };
}
