/**
 * The example job examples/jobs/word-count (Python 3, standard library) through the whole local
 * pipeline: upload → preview from its preview.json → pay → email → download of its own result.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderOk, downloadLinkIn, payOnStripePage, startTestCloud, uploadFile, waitForEmails, waitForOrder, type TestCloud } from './local-cloud';

const JOB = path.resolve(import.meta.dirname, '../../examples/jobs/word-count');
let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud(undefined, undefined, { job: JOB });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the word-count example job', () => {
  it('shows its preview, and after payment delivers its own report', async () => {
    const text = readFileSync(path.join(JOB, 'sample.txt'), 'utf8');
    const order = await createOrderOk(cloud, 'reader@example.com', 'fox <story>.txt', text);
    expect((await uploadFile(order, 'fox <story>.txt', text)).status).toBe(204);

    const done = await waitForOrder(cloud, order.orderId, (v) => v.job === 'done' || v.job === 'failed', 30_000);
    expect(done.job).toBe('done');
    expect(done.preview).toMatchObject({
      kind: 'job',
      title: 'Word frequency',
      facts: [
        { label: 'Lines', value: 3 },
        { label: 'Words', value: 35 },
        { label: 'Distinct words', value: 26 },
      ],
      table: { columns: ['Word', 'Count'], rows: [['the', 5], ['fox', 3], ['quick', 2], ['dog', 2], ['sample', 2]] },
    });

    const paid = await payOnStripePage(done.payUrl as string, '4242 4242 4242 4242', 'reader@example.com');
    expect(paid.status).toBe(303);
    await waitForOrder(cloud, order.orderId, (v) => v.delivered);
    const mail = await waitForEmails(cloud, 'reader@example.com', 1);
    expect(mail).toHaveLength(1);
    const link = downloadLinkIn(mail[0]!);
    const res = await fetch(link as string, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const file = await fetch(res.headers.get('location') as string);
    expect(file.status).toBe(200);
    const report = await file.text();
    expect(report).toContain('Word count of fox <story>.txt');
    expect(report).toMatch(/^\s+5 {2}the$/m);
  });
});
