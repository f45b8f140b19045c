/**
 * A local cloud in a process of its own, for the crash tests (crash.test.ts, cloud-process.ts):
 * a fault can then kill it for real (SIGKILL at a named step, local/faults.ts) and the test starts
 * it again on the same data directory. Options come as JSON in UPLOCK_TEST_CLOUD; once it is up it
 * prints one line `READY <json>` on standard output. SIGTERM is the graceful stop, as for `npm start`.
 */
import { startLocalCloud, type LocalCloudOptions } from '../../local/cloud';

const options = JSON.parse(process.env.UPLOCK_TEST_CLOUD ?? '{}') as LocalCloudOptions;
const cloud = await startLocalCloud({ ...options, log: (line) => console.error(line) });
process.stdout.write(`READY ${JSON.stringify({ urls: cloud.urls, config: cloud.config, webhookSecret: cloud.webhookSecret })}\n`);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  cloud.stop().then(
    () => {
      console.error(`graceful stop: drained in ${Date.now() - started} ms`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
