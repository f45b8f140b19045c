/** GET /api/config: what the page needs to show the offer and check files before upload. */
import { loadConfig } from '../config';
import type { PublicConfig } from '../contract';
import { httpHandler, json } from './http';

const config = loadConfig();
// Computed once: the response never changes within a deployment.
const body: PublicConfig = {
  product: config.product,
  price: config.price,
  maxUploadBytes: config.maxUploadBytes,
  acceptedExtensions: config.acceptedExtensions,
  downloadLimit: config.downloadLimit,
  linkTtlHours: config.linkTtlHours,
  // The page's consent line says how long the file and address are kept.
  retentionDays: config.retentionDays,
};

export const handler = httpHandler('get-config', async () => json(200, body, { 'cache-control': 'public, max-age=60' }));
