/** Download tokens: 256 random bits handed to the payer once, stored only as a SHA-256 hash. */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { DownloadToken, OrderId } from './ids';

export function mintToken(): { token: DownloadToken; hash: string } {
  const token = randomBytes(32).toString('base64url') as DownloadToken;
  return { token, hash: hashToken(token) };
}

/**
 * The token of an order's n-th delivery: a keyed HMAC of the order id and the number, so every
 * attempt of one delivery (a retry after a crash between the email and the "delivered" mark)
 * mails the same link, and only the key's holder can compute it. Still 256 bits, still stored
 * only as a hash.
 */
export function deliveryToken(key: Uint8Array, orderId: OrderId, deliveryNumber: number): { token: DownloadToken; hash: string } {
  const token = createHmac('sha256', key).update(`uplock-delivery:${orderId}:${deliveryNumber}`).digest('base64url') as DownloadToken;
  return { token, hash: hashToken(token) };
}

export const hashToken = (token: DownloadToken): string => createHash('sha256').update(token).digest('hex');

export type TokenRefusal = 'used_up' | 'expired' | 'revoked';

export interface TokenState {
  readonly downloadsLeft: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly revoked: boolean;
}

/** Why a token can no longer be used (checked after a conditional decrement was refused). */
export function tokenRefusal(token: TokenState, nowSeconds: number): TokenRefusal | undefined {
  if (token.revoked) return 'revoked';
  if (token.expiresAt <= nowSeconds) return 'expired';
  if (token.downloadsLeft <= 0) return 'used_up';
  return undefined;
}
