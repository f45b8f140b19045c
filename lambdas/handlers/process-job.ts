/**
 * The process job, shared by the Lambda handler (process-upload) and the Fargate task
 * (process-task): stream the upload through the processor, store preview and results, record
 * done or failed, then deliverIfDue (the customer may have paid already).
 */
import { orderStore } from '../adapters/dynamo-order-store';
import { blobStore } from '../adapters/s3-blob-store';
import { loadConfig } from '../config';
import { eventDeps } from '../adapters/event-deps';
import { countMetric, logger } from '../adapters/observability';
import { deliverIfDue } from '../core/delivery';
import { refundNoResult } from '../core/stripe-events';
import { orderIdFromUploadKey, type OrderId } from '../core/ids';
import { extensionOf } from '../core/validation';
import { defaultProcessor } from '../processors';
import { ProcessingError, type Processor } from '../processors/processor';

const SAFE_ARTIFACT = /^[A-Za-z0-9._-]{1,100}$/;

export type JobOutcome = 'ignored' | 'replayed' | 'done' | 'failed';

export async function runProcessJob(key: string, processor: Processor = defaultProcessor): Promise<JobOutcome> {
  const config = loadConfig();
  const store = orderStore();
  const blobs = blobStore();
  const orderId = orderIdFromUploadKey(key);
  if (!orderId) {
    logger.warn('object outside the order layout ignored', { key });
    return 'ignored';
  }
  // Only the first "Object Created" for an order starts a job; replays and re-uploads stop here.
  if (!(await store.startJob(orderId))) {
    logger.info('job already started or order unknown', { orderId });
    return 'replayed';
  }
  const fail = async (code: string, message: string): Promise<JobOutcome> => {
    await store.failJob(orderId, { code, message });
    countMetric('JobFailures');
    logger.warn('job failed', { orderId, code });
    // The customer may have paid already: no result, no charge.
    await refundNoResult(orderId, eventDeps());
    return 'failed';
  };
  try {
    const input = await blobs.getInput(key);
    if (!input) return await fail('upload_missing', 'We could not find your upload. Please start again.');
    // The local S3 does not enforce the POST policy, and AWS's is the browser's word: check here.
    if (input.size > config.maxUploadBytes) return await fail('too_large', 'The file is larger than the upload limit.');
    if (input.size === 0) return await fail('empty_file', 'The file is empty.');
    // The upload carries its name in metadata; the order is read only if that is missing.
    const fileName = input.fileName ?? (await store.getOrder(orderId))?.fileName ?? 'upload';
    if (!processor.acceptedExtensions.includes(extensionOf(fileName))) {
      return await fail('extension_not_accepted', 'Files of this type are not accepted.');
    }
    const result = await processor.process({ body: input.body, fileName, maxBytes: config.maxUploadBytes });
    if (!result.artifacts.some((a) => a.name === result.primary)) throw new Error(`processor ${processor.name} named a missing primary artifact`);
    for (const artifact of result.artifacts) {
      if (!SAFE_ARTIFACT.test(artifact.name)) throw new Error(`processor ${processor.name} returned an unsafe artifact name`);
      await blobs.putResult(orderId, artifact.name, artifact.body, artifact.contentType);
    }
    await blobs.putPreview(orderId, result.preview);
    await store.finishJob(orderId, result.primary);
  } catch (error) {
    if (error instanceof ProcessingError) return await fail(error.code, error.customerMessage);
    logger.error('job crashed', { orderId, error: error as Error });
    return await fail('processing_error', 'We could not analyse this file. You have not been charged.');
  }
  logger.info('job done', { orderId });
  await deliverAfterJob(orderId);
  return 'done';
}

async function deliverAfterJob(orderId: OrderId): Promise<void> {
  const outcome = await deliverIfDue(orderId, eventDeps());
  if (outcome === 'delivered') logger.info('delivered after job', { orderId });
}
