/**
 * POST /api/orders: validate what the browser says it will upload, create the order
 * (awaiting_upload) and hand back a presigned POST that only accepts that one object.
 * Nothing is written when validation fails.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { orderStore } from '../adapters/dynamo-order-store';
import { uploadPresigner } from '../adapters/s3-upload-presigner';
import { loadConfig } from '../config';
import { logger } from '../adapters/observability';
import type { OrderId } from '../core/ids';
import type { Order } from '../core/order';
import { formatByteSize } from '../core/sizes';
import { cleanFileName, extensionOf, isEmail, isWellFormed } from '../core/validation';
import { HttpError, httpHandler, json, jsonBody } from './http';

const config = loadConfig();
const store = orderStore();
const presigner = uploadPresigner();

/** The presigned POST stays valid this long: enough for a slow upload of the largest file. */
const UPLOAD_WINDOW_SECONDS = 30 * 60;

const requestSchema = z.object({
  email: z.string(),
  fileName: z.string(),
  size: z.number(),
  contentType: z.optional(z.string()),
  lang: z.optional(z.string()),
});

function parseRequest(body: unknown) {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw new HttpError(400, 'invalid_request', `Expected {email, fileName, size}; check: ${fields}.`);
  }
  const req = parsed.data;
  // Lower-cased so the lookup by email (GSI byEmail) finds every order of an address.
  const email = req.email.trim().toLowerCase();
  if (!isEmail(email)) throw new HttpError(400, 'invalid_email', 'Please enter a valid email address.');
  if (!isWellFormed(req.fileName)) throw new HttpError(400, 'invalid_file_name', 'The file name contains characters that are not text.');
  const fileName = cleanFileName(req.fileName);
  if (!fileName) throw new HttpError(400, 'invalid_file_name', 'The file needs a name.');
  const extension = extensionOf(fileName);
  if (!config.acceptedExtensions.includes(extension)) {
    throw new HttpError(400, 'extension_not_accepted', `Files of this type are not accepted. Accepted: ${config.acceptedExtensions.join(', ')}.`);
  }
  if (!Number.isInteger(req.size) || req.size <= 0) throw new HttpError(400, 'invalid_size', 'The file is empty or its size is unknown.');
  if (req.size > config.maxUploadBytes) {
    throw new HttpError(400, 'file_too_large', `The file is larger than the limit of ${formatByteSize(config.maxUploadBytes)}.`);
  }
  // Browsers send arbitrary MIME types for CSV; keep only well-formed ones for the object.
  const contentType = req.contentType && /^[\w.+-]+\/[\w.+-]+$/.test(req.contentType) ? req.contentType : undefined;
  return { email, fileName, size: req.size, contentType, lang: req.lang === 'ja' ? ('ja' as const) : ('en' as const) };
}

export const handler = httpHandler('create-order', async (event) => {
  const req = parseRequest(jsonBody(event));
  const orderId = randomUUID() as OrderId;
  const now = Date.now();
  const order: Order = {
    orderId,
    email: req.email,
    fileName: req.fileName,
    size: req.size,
    lang: req.lang,
    createdAt: new Date(now).toISOString(),
    job: 'awaiting_upload',
    payment: 'unpaid',
    expiresAt: Math.floor(now / 1000) + config.retentionDays * 86400,
  };
  // Presign first: if it fails, no order is left behind without a way to upload.
  const upload = await presigner.presignUpload(orderId, {
    fileName: req.fileName,
    maxBytes: config.maxUploadBytes,
    ...(req.contentType ? { contentType: req.contentType } : {}),
    expiresInSeconds: UPLOAD_WINDOW_SECONDS,
  });
  await store.createOrder(order);
  logger.info('order created', { orderId, size: req.size });
  return json(201, { orderId, upload: { url: upload.url, fields: upload.fields }, uploadExpiresAt: upload.expiresAt });
});
