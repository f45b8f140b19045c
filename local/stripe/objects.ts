/**
 * Factories for the Stripe objects the stand-in serves, in the API version the `stripe` package
 * pins (`Stripe.API_VERSION`, 23.1.0: 2026-10-28.endive), the one every uplock client sends.
 * Each factory returns the package's own type (`Stripe.Checkout.Session`, `Stripe.Charge`…), so
 * `tsc` holds every object to that version: a field the version dropped is an excess property,
 * one it added and requires is a missing one. Fields for features the stand-in does not model
 * hold Stripe's own "off" values (null, [], `{enabled:false}`), so code written against these
 * objects also reads real ones. test/unit/stripe-standin.test.ts also compares them with
 * Stripe's 2026 example objects (../shared/stripe/fixtures.json).
 */
import Stripe from 'stripe';
import { newId } from './ids.js';

export const API_VERSION: string = Stripe.API_VERSION;

export type Metadata = Record<string, string>;

/**
 * A `decimal_string` field as it travels: a string. stripe-node turns these into its `Decimal`
 * class when it parses an answer; the stand-in only ever serializes them, and structuredClone
 * (expand, events) would strip a class instance, so it keeps the wire form under the SDK's type.
 */
function wireDecimal(value: number): Stripe.Decimal {
  return String(value) as unknown as Stripe.Decimal;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The id of a field that holds an id or, once expanded, the object (never expanded in the store). */
export function idOf(value: string | { id?: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : (value.id ?? null);
}

export type Product = Stripe.Product;

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
    created,
    default_price: null,
    description: input.description ?? null,
    images: input.images ?? [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata ?? {},
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: created,
    url: input.url ?? null,
  };
}

/** The stand-in sells fixed one-time prices only: `unit_amount` is always set. */
export type Price = Stripe.Price & { unit_amount: number; product: string };

export function makePrice(input: {
  currency: string;
  unitAmount: number;
  product: string;
  active?: boolean;
  nickname?: string | null;
  lookupKey?: string | null;
  metadata?: Metadata;
  taxBehavior?: Stripe.Price.TaxBehavior;
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
    unit_amount_decimal: wireDecimal(input.unitAmount),
  };
}

/** What a link or session sells; kept beside the object (Stripe exposes it via `line_items`). */
export interface LineItemSpec {
  price: string;
  quantity: number;
}

export type AfterCompletion = Stripe.PaymentLink.AfterCompletion;

/**
 * `created` is not a field of Stripe's payment_link; the stand-in keeps it (documented in
 * docs/local-stripe.md) so lists can be ordered and filtered like every other object here.
 */
export type PaymentLink = Stripe.PaymentLink & { created: number };

const offInvoiceCreation = () => ({
  enabled: false,
  invoice_data: {
    account_tax_ids: null,
    custom_fields: null,
    description: null,
    footer: null,
    issuer: null,
    metadata: {},
    rendering_options: null,
  },
});

const emptyCustomText = () => ({ after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null });

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
  submitType?: Stripe.PaymentLink.SubmitType;
  paymentMethodTypes?: Stripe.PaymentLink.PaymentMethodType[] | null;
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
    automatic_tax: { enabled: false, liability: null },
    billing_address_collection: input.billingAddressCollection ?? 'auto',
    consent_collection: null,
    created: nowSeconds(),
    currency: input.currency,
    custom_fields: [],
    custom_text: emptyCustomText(),
    customer_creation: input.customerCreation ?? 'if_required',
    inactive_message: null,
    invoice_creation: offInvoiceCreation(),
    livemode: false,
    managed_payments: null,
    metadata: input.metadata ?? {},
    on_behalf_of: null,
    payment_intent_data: null,
    payment_method_collection: 'always',
    payment_method_options: null,
    payment_method_types: input.paymentMethodTypes ?? null,
    phone_number_collection: { enabled: false },
    restrictions: null,
    shipping_address_collection: null,
    shipping_options: [],
    submit_type: input.submitType ?? 'auto',
    subscription_data: null,
    tax_id_collection: { enabled: false, required: 'never' },
    transfer_data: null,
    url: input.url,
  };
}

export type SessionStatus = 'open' | 'complete' | 'expired';
export type SessionPaymentStatus = 'paid' | 'unpaid' | 'no_payment_required';

export type CustomerDetails = Stripe.Checkout.Session.CustomerDetails;

/**
 * The stand-in's sessions always sell something in one currency, in payment mode: amounts,
 * currency, status and metadata are always set (Stripe's type allows null for other modes).
 */
export type CheckoutSession = Stripe.Checkout.Session & {
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  status: SessionStatus;
  metadata: Metadata;
};

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
  submitType: Stripe.Checkout.Session.SubmitType | null;
}): CheckoutSession {
  const created = nowSeconds();
  return {
    id: input.id ?? newId.checkoutSession(),
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: input.allowPromotionCodes,
    allowed_payment_method_types: null,
    amount_subtotal: input.amount,
    amount_total: input.amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: input.billingAddressCollection,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created,
    currency: input.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: emptyCustomText(),
    customer: null,
    customer_account: null,
    customer_creation: input.customerCreation,
    customer_details: null,
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt ?? created + SESSION_LIFETIME_SECONDS,
    integration_identifier: null,
    invoice: null,
    invoice_creation: offInvoiceCreation(),
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: input.metadata,
    mode: 'payment',
    origin_context: null,
    payment_intent: null,
    payment_link: input.paymentLink,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: input.paymentMethodTypes,
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: input.submitType,
    subscription: null,
    success_url: input.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: input.url,
    wallet_options: null,
  };
}

export function makeCustomerDetails(email: string): CustomerDetails {
  return { address: null, business_name: null, email, individual_name: null, name: null, phone: null, tax_exempt: 'none', tax_ids: [] };
}

/** Checkout's line item (`object: 'item'`), as `expand[]=line_items` returns it. */
export function makeCheckoutLineItem(price: Price, productName: string, quantity: number): Stripe.LineItem {
  const amount = price.unit_amount * quantity;
  return {
    id: newId.lineItem(),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: price.currency,
    description: productName,
    metadata: {},
    price,
    quantity,
  };
}

export type PaymentMethodKind = 'card' | 'sepa_debit';

export type PaymentIntent = Stripe.PaymentIntent;

export function makePaymentIntent(input: {
  amount: number;
  currency: string;
  paymentMethod: string;
  kind: PaymentMethodKind;
  receiptEmail: string | null;
  status: 'processing' | 'succeeded' | 'requires_payment_method' | 'canceled';
  metadata?: Metadata;
}): PaymentIntent {
  return {
    id: newId.paymentIntent(),
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: input.status === 'succeeded' ? input.amount : 0,
    allowed_payment_method_types: null,
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
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: input.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: [input.kind],
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.status,
    transfer_data: null,
    transfer_group: null,
  };
}

/** Every charge here belongs to a payment intent (Checkout made it). */
export type Charge = Stripe.Charge & { payment_intent: string };

export function makeCharge(input: {
  amount: number;
  currency: string;
  paymentIntent: string;
  paymentMethod: string;
  kind: PaymentMethodKind;
  last4: string;
  email: string;
  status: 'succeeded' | 'pending' | 'failed';
}): Charge {
  const succeeded = input.status === 'succeeded';
  const details: Stripe.Charge.PaymentMethodDetails =
    input.kind === 'card'
      ? {
          type: 'card',
          card: {
            amount_authorized: succeeded ? input.amount : null,
            authorization_code: null,
            brand: 'visa',
            checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
            country: 'US',
            electronic_commerce_indicator: null,
            exp_month: 12,
            exp_year: new Date().getUTCFullYear() + 3,
            fingerprint: null,
            funding: 'credit',
            installments: null,
            last4: input.last4,
            mandate: null,
            network: 'visa',
            network_token: null,
            network_transaction_id: null,
            regulated_status: 'unregulated',
            three_d_secure: null,
            transaction_link_id: null,
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
      tax_id: null,
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
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
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
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export type Refund = Stripe.Refund;

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
    customer: null,
    customer_account: null,
    destination_details: { type: 'card', card: { type: 'refund' } },
    metadata: input.metadata,
    payment_intent: input.charge.payment_intent,
    payment_method: input.charge.payment_method,
    reason: input.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export type Dispute = Stripe.Dispute;

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
    enhanced_eligibility_types: [],
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
      enhanced_evidence: {},
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
    evidence_details: {
      due_by: created + 7 * 24 * 3600,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: { card: { brand: 'visa', case_type: 'chargeback', network: 'visa', network_reason_code: '10.4' }, type: 'card' },
    reason: 'fraudulent',
    status: 'needs_response',
  };
}

/** The signing secret is kept with the endpoint (Stripe shows it only in the create answer). */
export type WebhookEndpoint = Stripe.WebhookEndpoint & { secret: string };

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

export type EventType = Stripe.Event.Type;

/** The event of `type`, as the package types it (`data.object` is that event's object type). */
export type EventOf<T extends EventType> = Extract<Stripe.Event, { type: T }>;

export type StripeEvent = Stripe.Event;

export function makeEvent<T extends EventType>(input: {
  type: T;
  object: EventOf<T>['data']['object'];
  previousAttributes?: Record<string, unknown>;
  request?: { id: string | null; idempotency_key: string | null };
  pendingWebhooks: number;
}): EventOf<T> {
  const data: Stripe.Event.Data = { object: structuredClone(input.object) as Stripe.Event.Data.Object };
  if (input.previousAttributes) data.previous_attributes = input.previousAttributes;
  const event: Stripe.EventBase & { type: T } = {
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
  // EventBase with a `type` of the union is one of its members; tsc cannot narrow a generic.
  return event as unknown as EventOf<T>;
}
