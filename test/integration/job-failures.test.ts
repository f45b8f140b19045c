/**
 * Bad jobs through the local cloud (docs/jobs.md): each misbehaviour of test/fixtures/jobs/bad-job
 * (chosen by the input's first line) ends in a failed order with a clear message, nothing charged,
 * no email, and the pipeline keeps working for the next order.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderId } from '../../lambdas/core/ids';
import { createOrderOk, emails, getOrder, startTestCloud, uploadFile, waitForOrder, type TestCloud } from './local-cloud';

const JOB = path.resolve(import.meta.dirname, '../fixtures/jobs/bad-job');
let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud(undefined, undefined, { job: JOB });
});

afterAll(async () => {
  await cloud?.stop();
});

async function run(mode: string, email = `${mode}@example.com`) {
  const content = `${mode}\nsome text\n`;
  const order = await createOrderOk(cloud, email, 'input.txt', content);
  expect((await uploadFile(order, 'input.txt', content)).status).toBe(204);
  return waitForOrder(cloud, order.orderId, (v) => v.job === 'done' || v.job === 'failed', 30_000);
}

describe('a job folder on the local cloud', () => {
  it('serves the manifest\'s accepted extensions and refuses others at order creation', async () => {
    const config = (await (await cloud.api('/api/config')).json()) as { acceptedExtensions: string[]; product: { name: string } };
    expect(config.acceptedExtensions).toEqual(['.txt']);
    expect(config.product.name).toBe('Misbehaving job (tests)');
    const res = await cloud.api('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', fileName: 'data.csv', size: 10 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('extension_not_accepted');
  });

  it('gives the job only the contract\'s environment, in its own folder', async () => {
    const view = await run('env');
    expect(view.job).toBe('done');
    const preview = view.preview as { kind: string; facts: { label: string; value: string }[] };
    expect(preview.kind).toBe('job');
    const names = preview.facts.find((f) => f.label === 'names')?.value.trim().split(' ').filter((n) => n !== 'PWD' && n !== 'SHLVL' && n !== '_');
    expect(names?.sort()).toEqual(['HOME', 'LANG', 'PATH', 'TMPDIR', 'UPLOCK_FILE_NAME', 'UPLOCK_INPUT', 'UPLOCK_LANG', 'UPLOCK_OUTPUT']);
    expect(preview.facts.find((f) => f.label === 'cwd')?.value).toBe(JOB);
  });

  it.each([
    ['exit1-error', 'job_failed', 'Your file has no numbers in it. You have not been charged.'],
    ['exit1', 'job_failed', 'We could not analyse this file. You have not been charged.'],
    ['sleep', 'job_timeout', 'The analysis took longer than its limit of 2 seconds and was stopped. You have not been charged.'],
    ['no-preview', 'job_preview_missing', 'We could not analyse this file. You have not been charged.'],
    ['bad-preview', 'job_preview_invalid', 'We could not analyse this file. You have not been charged.'],
    ['symlink', 'job_output_refused', 'We could not analyse this file. You have not been charged.'],
    ['too-big', 'job_output_too_large', 'The analysis produced more output than its limit and was stopped. You have not been charged.'],
    ['log-spam', 'job_log_limit', 'We could not analyse this file. You have not been charged.'],
  ])('%s: the order fails with %s and a clear message, nothing charged', async (mode, code, message) => {
    const view = await run(mode);
    expect(view).toMatchObject({ job: 'failed', payment: 'unpaid', delivered: false, error: { code, message } });
    expect(view.payUrl).toBeUndefined();
    expect(view.preview).toBeUndefined();
    expect((await emails(cloud)).filter((e) => e.destination.to.includes(`${mode}@example.com`))).toHaveLength(0);
  });

  it('keeps working after every bad job: the next good file is done with its preview', async () => {
    const view = await run('fine', 'after@example.com');
    expect(view).toMatchObject({ job: 'done', payment: 'unpaid' });
    expect(view.preview).toEqual({ kind: 'job', title: 'ok', facts: [{ label: 'mode', value: 'fine' }] });
    expect(view.payUrl).toBeDefined();
  });
});

describe("the job's claim on the local cloud", () => {
  it('a redelivered upload event after a killed run (claim expired) runs the job again', async () => {
    const { orderStore } = await import('../../lambdas/adapters/dynamo-order-store');
    const content = 'fine\n';
    const order = await createOrderOk(cloud, 'killed@example.com', 'input.txt', content);
    // What a run killed mid-job leaves: processing, attempt 1, a claim that has expired.
    const claim = await orderStore().startJob(order.orderId as OrderId, { now: Date.now(), expiresAt: Date.now() - 1, maxAttempts: 3 });
    expect(claim).toEqual({ attempt: 1 });

    expect((await uploadFile(order, 'input.txt', content)).status).toBe(204);
    const view = await waitForOrder(cloud, order.orderId, (v) => v.job === 'done' || v.job === 'failed', 30_000);

    expect(view.job).toBe('done');
    expect((await orderStore().getOrder(order.orderId as OrderId))?.jobClaim?.attempts).toBe(2);
  });

  it('the sweeper re-announces an upload whose job claim expired, and the job runs again', async () => {
    const { orderStore } = await import('../../lambdas/adapters/dynamo-order-store');
    const content = 'fine\n';
    const order = await createOrderOk(cloud, 'swept@example.com', 'input.txt', content);
    // A live claim: the upload's own event is skipped as a replay, as if a run were still going.
    await orderStore().startJob(order.orderId as OrderId, { now: Date.now(), expiresAt: Date.now() + 1500, maxAttempts: 3 });
    expect((await uploadFile(order, 'input.txt', content)).status).toBe(204);
    await cloud.idle();
    expect((await getOrder(cloud, order.orderId)).job).toBe('processing');

    await new Promise((r) => setTimeout(r, 1600));
    const report = (await cloud.sweep()) as { jobs?: { resumed: number } };
    expect(report.jobs?.resumed).toBeGreaterThanOrEqual(1);
    const view = await waitForOrder(cloud, order.orderId, (v) => v.job === 'done' || v.job === 'failed', 30_000);
    expect(view.job).toBe('done');
  });

  it('after the last attempt the order fails with a message and nothing is charged', async () => {
    const { orderStore } = await import('../../lambdas/adapters/dynamo-order-store');
    const content = 'fine\n';
    const order = await createOrderOk(cloud, 'gaveup@example.com', 'input.txt', content);
    for (let i = 0; i < 3; i++) {
      expect(await orderStore().startJob(order.orderId as OrderId, { now: Date.now(), expiresAt: Date.now() - 1, maxAttempts: 3 })).toBeDefined();
    }
    expect((await uploadFile(order, 'input.txt', content)).status).toBe(204);
    const view = await waitForOrder(cloud, order.orderId, (v) => v.job === 'done' || v.job === 'failed', 30_000);
    expect(view).toMatchObject({ job: 'failed', payment: 'unpaid', error: { code: 'job_stopped' } });
    expect(view.error?.message).toMatch(/not been charged/);
  });
});
