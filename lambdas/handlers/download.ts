/**
 * GET /d/{token}: take one download atomically, then 302 to a 60-second presigned GET of the
 * order's main result. GET /d/{token}/{file}: the same for another result file of the order
 * (report.json next to report.html); each file served takes one download from the same limit.
 * 404 unknown token or file, 410 used up / expired / revoked. Browsers (Accept: text/html) are sent to
 * the friendly link.html page instead of a JSON error; API clients get the contract's JSON.
 */
import { orderStore } from '../adapters/dynamo-order-store';
import { blobStore } from '../adapters/s3-blob-store';
import { loadConfig } from '../config';
import { logger } from '../adapters/observability';
import { parseDownloadToken } from '../core/ids';
import { resultFileName } from '../core/order';
import { hashToken, tokenRefusal, type TokenRefusal } from '../core/tokens';
import { errorResult, header, httpHandler, type HttpEvent, type HttpResult } from './http';

const config = loadConfig();
const store = orderStore();
const blobs = blobStore();

const PRESIGNED_SECONDS = 60;
const RESULT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const messages: Record<TokenRefusal | 'unknown', string> = {
  unknown: 'This download link is not valid.',
  used_up: 'This download link has been used the maximum number of times.',
  expired: 'This download link has expired.',
  revoked: 'This download link is no longer valid because the payment was refunded or disputed.',
};

function refuse(event: HttpEvent, reason: TokenRefusal | 'unknown'): HttpResult {
  if ((header(event, 'accept') ?? '').includes('text/html')) {
    return { statusCode: 302, headers: { location: `/link.html?reason=${reason}`, 'cache-control': 'no-store' } };
  }
  return reason === 'unknown' ? errorResult(404, 'link_not_found', messages.unknown) : errorResult(410, `link_${reason}`, messages[reason]);
}

export const handler = httpHandler('download', async (event) => {
  const token = parseDownloadToken(event.pathParameters?.token);
  if (!token) return refuse(event, 'unknown');
  // Result file names are letters, digits, '.', '-', '_' (lambdas/processors/processor.ts).
  const file = event.pathParameters?.file;
  if (file !== undefined && !RESULT_FILE.test(file)) return errorResult(404, 'file_not_found', 'This order has no file of that name.');
  const nowSeconds = Math.floor(Date.now() / 1000);
  const result = await store.consumeToken(hashToken(token), nowSeconds);
  if (!result.ok) return refuse(event, result.token ? (tokenRefusal(result.token, nowSeconds) ?? 'used_up') : 'unknown');

  // Defence in depth: a refund racing a delivery could leave a token unrevoked for a moment.
  const order = await store.getOrder(result.token.orderId);
  if (!order || order.payment !== 'paid' || order.disputedAt || !order.primaryArtifact) return refuse(event, 'revoked');

  let artifact = order.primaryArtifact;
  if (file !== undefined && file !== artifact) {
    // The revision the links serve (`uplock orders rerun` makes new ones): core/order.ts resultFileName.
    if (!(await blobs.hasResult?.(order.orderId, resultFileName(order, file)))) return errorResult(404, 'file_not_found', 'This order has no file of that name.');
    artifact = file;
  }
  const base = order.fileName.replace(/\.[^.]*$/, '');
  const extension = artifact.slice(artifact.lastIndexOf('.'));
  const url = await blobs.presignDownload(order.orderId, resultFileName(order, artifact), `${base}-${config.product.name}${extension}`.replace(/\s+/g, '-'), PRESIGNED_SECONDS);
  // For the order's timeline (`uplock orders show`): a lost note must not cost the buyer the download.
  await store
    .recordOrderEvent(order.orderId, { at: new Date().toISOString(), kind: 'download', detail: { file: artifact, downloadsLeft: result.token.downloadsLeft } })
    .catch((error: unknown) => logger.warn('download not noted on the order', { orderId: order.orderId, error: String(error) }));
  logger.info('download served', { orderId: order.orderId, file: artifact, downloadsLeft: result.token.downloadsLeft });
  return { statusCode: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } };
});
