/** The process job as a Lambda: target of the EventBridge rule on S3 "Object Created" under uploads/. */
import type { EventBridgeEvent } from 'aws-lambda';
import { runProcessJob, type JobOutcome } from './process-job';

interface ObjectCreatedDetail {
  bucket: { name: string };
  object: { key: string; size?: number };
}

/** EventBridge carries the key URL-encoded, spaces as '+', as S3 notifications do. */
export const decodeS3Key = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

export const handler = async (event: EventBridgeEvent<'Object Created', ObjectCreatedDetail>): Promise<JobOutcome> =>
  runProcessJob(decodeS3Key(event.detail.object.key));
