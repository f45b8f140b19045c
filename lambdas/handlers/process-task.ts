/**
 * The process job as a Fargate task (config jobRuntime: 'fargate'), for files past Lambda's
 * limits. EventBridge passes bucket and key as container environment overrides.
 */
import { runProcessJob } from './process-job';
import { decodeS3Key } from './process-upload';

const key = process.env.UPLOCK_S3_KEY;
if (!key) {
  console.error('UPLOCK_S3_KEY is not set: the EventBridge target must pass the object key');
  process.exit(2);
}
runProcessJob(decodeS3Key(key)).then(
  (outcome) => {
    console.log(JSON.stringify({ message: 'task finished', outcome }));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
