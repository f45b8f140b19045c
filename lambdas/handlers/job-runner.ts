/**
 * uplock's job runner: the entry point of an operator's job image (docs/jobs.md "On AWS"). The
 * CDK app bundles it (lib/job-image.ts) and stages it next to the job's files, so the job folder
 * is the folder this file runs from. As a Lambda container function it exports `handler` (the
 * base image's runtime calls it); as a Fargate task (`node uplock-runner.mjs`) EventBridge passes
 * the object key in UPLOCK_S3_KEY. Work folders live in the system's temp folder: /tmp on Lambda,
 * the only writable place there.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventBridgeEvent } from 'aws-lambda';
import { commandProcessor, loadJobFolder } from '../processors/command';
import { runProcessJob, type JobOutcome } from './process-job';
import { decodeS3Key } from './process-upload';

const here = path.dirname(fileURLToPath(import.meta.url));
// The job sees PATH and LANG of its host and nothing else of this process's environment.
const hostEnv = { ...(process.env.PATH ? { PATH: process.env.PATH } : {}), ...(process.env.LANG ? { LANG: process.env.LANG } : {}) };
const processor = commandProcessor(loadJobFolder(here), { hostEnv, workBase: os.tmpdir() });

export const handler = async (event: EventBridgeEvent<'Object Created', { object: { key: string } }>): Promise<JobOutcome> =>
  runProcessJob(decodeS3Key(event.detail.object.key), processor);

const taskKey = process.env.UPLOCK_S3_KEY;
if (taskKey && !process.env.AWS_LAMBDA_RUNTIME_API) {
  runProcessJob(decodeS3Key(taskKey), processor).then(
    (outcome) => console.log(JSON.stringify({ message: 'task finished', outcome })),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
