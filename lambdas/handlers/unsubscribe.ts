/**
 * POST /api/unsubscribe/{token}: no more broadcasts for the address the token names
 * (core/unsubscribe.ts). Two callers: the unsubscribe page's button, and a mail client's one-click
 * unsubscribe (RFC 8058: a POST with the body `List-Unsubscribe=One-Click`, named by the
 * broadcast's `List-Unsubscribe` and `List-Unsubscribe-Post` headers). The body is not read: the
 * signed token is the whole request. A GET never unsubscribes, so mail scanners that follow links
 * change nothing. Repeating it answers the same.
 */
import { broadcastStore } from '../adapters/dynamo-broadcast-store';
import { logger } from '../adapters/observability';
import { tokenKey } from '../adapters/token-key';
import { loadConfig } from '../config';
import type { UnsubscribeResult } from '../contract';
import { verifyUnsubscribeToken } from '../core/unsubscribe';
import { HttpError, httpHandler, json } from './http';

const config = loadConfig();
const store = broadcastStore();
const key = tokenKey(config);

export const handler = httpHandler('unsubscribe', async (event) => {
  const token = event.pathParameters?.token ?? '';
  const addressId = verifyUnsubscribeToken(await key(), token);
  if (!addressId) throw new HttpError(404, 'unknown_link', 'We do not recognise this unsubscribe link. Check that you copied the whole link from the email.');
  await store.unsubscribe(addressId, new Date().toISOString());
  logger.info('unsubscribed');
  const result: UnsubscribeResult = { unsubscribed: true };
  return json(200, result);
});
