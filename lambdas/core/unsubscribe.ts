/**
 * Unsubscribing from broadcasts (`uplock broadcast`): each email carries a link and a
 * `List-Unsubscribe` header naming `POST /api/unsubscribe/{token}`. The token is
 * `<addressId>.<signature>`: the address's keyed id and a keyed signature of it, so the link holds no
 * address, the table records only the id, and nobody without the key can unsubscribe someone else
 * or fill the table with made-up ids. The key is the download-token key (adapters/token-key.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const ID_CHARS = 22; // 132 bits of an HMAC-SHA256, base64url

const mac = (key: Uint8Array, label: string, value: string): string => createHmac('sha256', key).update(`${label}:${value}`).digest('base64url').slice(0, ID_CHARS);

/** An address as compared everywhere: trimmed, lower case. */
export const normalAddress = (email: string): string => email.trim().toLowerCase();

/** The address's keyed id: what broadcast markers and unsubscribe records are keyed by. */
export const addressId = (key: Uint8Array, email: string): string => mac(key, 'uplock-address', normalAddress(email));

export function unsubscribeToken(key: Uint8Array, email: string): string {
  const id = addressId(key, email);
  return `${id}.${mac(key, 'uplock-unsubscribe', id)}`;
}

const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;

/** The address id a token names, or undefined when it is malformed or not signed with the key. */
export function verifyUnsubscribeToken(key: Uint8Array, token: string): string | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const [, id = '', signature = ''] = match;
  const expected = Buffer.from(mac(key, 'uplock-unsubscribe', id));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : undefined;
}
