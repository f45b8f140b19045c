/** Branded identifiers and their wire formats. Parsing happens once, at the edge. */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type OrderId = Brand<string, 'OrderId'>;
export type CheckoutSessionId = Brand<string, 'CheckoutSessionId'>;
export type DownloadToken = Brand<string, 'DownloadToken'>;

// crypto.randomUUID() gives v4; accept lower case only, as we mint it.
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// Stripe session ids: cs_test_… / cs_live_…, letters and digits.
const SESSION_ID = /^cs_(test|live)_[A-Za-z0-9]{1,250}$/;
// 32 random bytes as base64url, no padding.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const parseOrderId = (value: unknown): OrderId | undefined =>
  typeof value === 'string' && ORDER_ID.test(value) ? (value as OrderId) : undefined;

export const parseSessionId = (value: unknown): CheckoutSessionId | undefined =>
  typeof value === 'string' && SESSION_ID.test(value) ? (value as CheckoutSessionId) : undefined;

export const parseDownloadToken = (value: unknown): DownloadToken | undefined =>
  typeof value === 'string' && TOKEN.test(value) ? (value as DownloadToken) : undefined;

/** The upload key is derived from the order id only: the customer's file name never reaches a key. */
export const uploadKey = (orderId: OrderId): string => `uploads/${orderId}/input`;
export const previewKey = (orderId: OrderId): string => `previews/${orderId}.json`;
export const resultKey = (orderId: OrderId, artifact: string): string => `results/${orderId}/${artifact}`;

export function orderIdFromUploadKey(key: string): OrderId | undefined {
  const match = /^uploads\/([^/]+)\/input$/.exec(key);
  return match ? parseOrderId(match[1]) : undefined;
}
