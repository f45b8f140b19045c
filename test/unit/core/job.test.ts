/**
 * core/job.ts without servers: the job's claim (expiry + attempt count), the takeover after a
 * killed run, giving up after the last attempt ("no result, no charge"), and the sweeper's part.
 */
import { describe, expect, it } from 'vitest';
import { JOB_FAULT_STEPS, ProcessingError, resumeExpiredJobs, runJob, type JobDeps, type JobStore, type Processor } from '../../../lambdas/core/job';
import type { OrderId } from '../../../lambdas/core/ids';
import type { Order } from '../../../lambdas/core/order';

const ORDER = '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' as OrderId;
const KEY = `uploads/${ORDER}/input`;

/** One order in memory, with the same conditions as the DynamoDB store's writes. */
class MemoryJobStore implements JobStore {
  order: Order = {
    orderId: ORDER,
    email: 'a@example.com',
    fileName: 'in.txt',
    size: 5,
    lang: 'en',
    createdAt: '2026-01-01T00:00:00Z',
    job: 'awaiting_upload',
    payment: 'unpaid',
    expiresAt: 0,
  };
  progress: number[] = [];
  async getOrder() {
    return this.order;
  }
  async startJob(_id: OrderId, claim: { now: number; expiresAt: number; maxAttempts: number }) {
    const o = this.order;
    const attempts = o.jobClaim?.attempts ?? 0;
    const takeover = o.job === 'processing' && (o.jobClaim?.expiresAt ?? 0) < claim.now && attempts < claim.maxAttempts;
    if (o.job !== 'awaiting_upload' && !takeover) return undefined;
    this.order = { ...o, job: 'processing', jobClaim: { attempts: attempts + 1, expiresAt: claim.expiresAt } };
    return { attempt: attempts + 1 };
  }
  async finishJob(_id: OrderId, primary: string, attempt?: number) {
    if (this.order.job !== 'processing' || (attempt !== undefined && this.order.jobClaim?.attempts !== attempt)) return false;
    this.order = { ...this.order, job: 'done', primaryArtifact: primary };
    return true;
  }
  async failJob(_id: OrderId, error: { code: string; message: string }, attempt?: number) {
    if (!['awaiting_upload', 'processing'].includes(this.order.job)) return false;
    if (attempt !== undefined && this.order.jobClaim?.attempts !== attempt) return false;
    this.order = { ...this.order, job: 'failed', jobError: error };
    return true;
  }
  async setJobProgress(_id: OrderId, _attempt: number, progress: number) {
    this.progress.push(progress);
  }
  async expiredJobs(now: number) {
    return this.order.job === 'processing' && (this.order.jobClaim?.expiresAt ?? 0) < now ? [this.order] : [];
  }
}

function setup(processor: Partial<Processor> = {}) {
  let clock = 1_000_000;
  const store = new MemoryJobStore();
  const calls = { refunds: 0, deliveries: 0, reannounced: [] as string[], previews: [] as unknown[] };
  const deps: JobDeps = {
    store,
    blobs: {
      getInput: async () => ({ body: (async function* () { yield new TextEncoder().encode('hello'); })(), size: 5, fileName: 'in.txt' }),
      putResult: async () => undefined,
      putPreview: async (_id, preview) => void calls.previews.push(preview),
      reannounceInput: async (key) => void calls.reannounced.push(key),
    },
    processor: {
      name: 'test',
      acceptedExtensions: ['.txt'],
      timeoutMs: 10_000,
      process: async (input) => {
        input.onProgress?.(40);
        return { preview: { kind: 'job' }, artifacts: [{ name: 'r.txt', contentType: 'text/plain', body: 'r' }], primary: 'r.txt' };
      },
      ...processor,
    },
    settings: { maxUploadBytes: 100, acceptedExtensions: ['.txt'], maxAttempts: 3 },
    refundNoResult: async () => void calls.refunds++,
    deliverIfDue: async () => void calls.deliveries++,
    report: () => undefined,
    now: () => clock,
  };
  return { store, deps, calls, advance: (ms: number) => (clock += ms) };
}

describe('runJob', () => {
  it('runs a new job once, records progress, stores the preview and asks for delivery', async () => {
    const { store, deps, calls } = setup();

    const outcome = await runJob(KEY, deps);

    expect(outcome).toBe('done');
    expect(store.order).toMatchObject({ job: 'done', primaryArtifact: 'r.txt', jobClaim: { attempts: 1 } });
    expect(store.progress).toEqual([40]);
    expect(calls).toMatchObject({ deliveries: 1, refunds: 0, previews: [{ kind: 'job' }] });
  });

  it.each([
    { claimMs: undefined, expected: 10_000 + 120_000, why: "the processor's time limit plus the margin" },
    { claimMs: 5_000, expected: 5_000, why: 'config job.claimSeconds' },
  ])('a run holds the claim for $why', async ({ claimMs, expected }) => {
    const { store, deps } = setup();
    const killed = new Error('killed at job:claimed');
    const fault = (step: string) => {
      if (step === 'job:claimed') throw killed;
    };

    const run = runJob(KEY, { ...deps, settings: { ...deps.settings, ...(claimMs ? { claimMs } : {}) }, fault });

    await expect(run).rejects.toBe(killed);
    expect(store.order).toMatchObject({ job: 'processing', jobClaim: { attempts: 1, expiresAt: 1_000_000 + expected } });
  });

  it('skips a redelivery while the claim is live, and takes the job over after it expired', async () => {
    const { store, deps, advance } = setup();
    // A run that was killed: processing, claim held by attempt 1.
    await store.startJob(ORDER, { now: 1_000_000, expiresAt: 1_000_000 + 60_000, maxAttempts: 3 });

    expect(await runJob(KEY, deps)).toBe('replayed');
    advance(61_000);
    expect(await runJob(KEY, deps)).toBe('done');

    expect(store.order).toMatchObject({ job: 'done', jobClaim: { attempts: 2 } });
  });

  it('fails the order with a message and refunds after the last attempt', async () => {
    const { store, deps, calls } = setup();
    store.order = { ...store.order, job: 'processing', jobClaim: { attempts: 3, expiresAt: 5 } };

    expect(await runJob(KEY, deps)).toBe('failed');

    expect(store.order).toMatchObject({ job: 'failed', jobError: { code: 'job_stopped' } });
    expect(store.order.jobError?.message).toMatch(/not been charged/);
    expect(calls.refunds).toBe(1);
  });

  it('turns a ProcessingError into a failed order with its message, refund asked, no delivery', async () => {
    const { store, deps, calls } = setup({
      process: async () => {
        throw new ProcessingError('job_failed', 'Your file has no numbers in it. You have not been charged.', 'exit 1');
      },
    });

    expect(await runJob(KEY, deps)).toBe('failed');

    expect(store.order.jobError).toEqual({ code: 'job_failed', message: 'Your file has no numbers in it. You have not been charged.' });
    expect(calls).toMatchObject({ refunds: 1, deliveries: 0 });
  });

  it('does not let a run whose claim was taken over finish the order', async () => {
    const { store, deps, advance } = setup({
      process: async () => {
        // While this run works, its claim expires and attempt 2 takes over.
        advance(20 * 60_000);
        await store.startJob(ORDER, { now: Date.now() + 1e12, expiresAt: Date.now() + 2e12, maxAttempts: 3 });
        return { preview: {}, artifacts: [{ name: 'r.txt', contentType: 'text/plain', body: 'r' }], primary: 'r.txt' };
      },
    });

    expect(await runJob(KEY, deps)).toBe('replayed');
    expect(store.order).toMatchObject({ job: 'processing', jobClaim: { attempts: 2 } });
  });
});

describe('runJob at its named fault steps (the crash hooks of docs/local-cloud.md)', () => {
  it('reaches claimed, output-written, result-stored and done in that order on success', async () => {
    const { deps } = setup();
    const reached: string[] = [];

    await runJob(KEY, { ...deps, fault: (step) => void reached.push(step) });

    expect(reached).toEqual(['job:claimed', 'job:output-written', 'job:result-stored', 'job:done']);
  });

  it('reaches claimed then failed on a failing job, the failure written before the step', async () => {
    const { store, deps } = setup({
      process: async () => {
        throw new ProcessingError('job_failed', 'No.', 'exit 1');
      },
    });
    const reached: string[] = [];

    await runJob(KEY, { ...deps, fault: (step) => void reached.push(`${step} ${store.order.job}`) });

    expect(reached).toEqual(['job:claimed processing', 'job:failed failed']);
  });

  it.each([
    ['job:claimed', { job: 'processing', results: 0, previews: 0, refunds: 0, deliveries: 0 }],
    ['job:output-written', { job: 'processing', results: 0, previews: 0, refunds: 0, deliveries: 0 }],
    ['job:result-stored', { job: 'processing', results: 1, previews: 1, refunds: 0, deliveries: 0 }],
    ['job:done', { job: 'done', results: 1, previews: 1, refunds: 0, deliveries: 0 }],
  ] as const)('a crash at %s leaves the run there: no failure written, no refund, nothing after it', async (at, expected) => {
    const { store, deps, calls } = setup();
    let results = 0;
    const crashing: JobDeps = {
      ...deps,
      blobs: { ...deps.blobs, putResult: async () => void results++ },
      fault: (step) => {
        if (step === at) throw new Error(`killed at ${step}`);
      },
    };

    await expect(runJob(KEY, crashing)).rejects.toThrow(`killed at ${at}`);

    expect({ job: store.order.job, results, previews: calls.previews.length, refunds: calls.refunds, deliveries: calls.deliveries }).toEqual(expected);
  });

  it('a crash at job:failed leaves the order failed and the refund still owed', async () => {
    const { store, deps, calls } = setup({
      process: async () => {
        throw new ProcessingError('job_failed', 'No.', 'exit 1');
      },
    });
    const crashing: JobDeps = {
      ...deps,
      fault: (step) => {
        if (step === 'job:failed') throw new Error('killed');
      },
    };

    await expect(runJob(KEY, crashing)).rejects.toThrow('killed');

    expect(store.order.job).toBe('failed');
    expect(calls.refunds).toBe(0);
  });

  it('names every step it calls in JOB_FAULT_STEPS, each matching the local switchboard\'s step pattern', () => {
    for (const step of JOB_FAULT_STEPS) expect(step).toMatch(/^job:[a-z-]+$/);
  });
});

describe('resumeExpiredJobs (the sweeper)', () => {
  it.each([
    [1, { resumed: 1, failed: 0 }, 'processing'],
    [3, { resumed: 0, failed: 1 }, 'failed'],
  ] as const)('after %i attempt(s): %o', async (attempts, counts, job) => {
    const { store, deps, calls } = setup();
    store.order = { ...store.order, job: 'processing', jobClaim: { attempts, expiresAt: 5 } };

    const report = await resumeExpiredJobs(deps);

    expect(report).toMatchObject({ ...counts, errors: 0 });
    expect(store.order.job).toBe(job);
    expect(calls.reannounced).toEqual(counts.resumed ? [KEY] : []);
    expect(calls.refunds).toBe(counts.failed);
  });

  it('leaves a job with a live claim alone', async () => {
    const { store, deps, calls } = setup();
    store.order = { ...store.order, job: 'processing', jobClaim: { attempts: 1, expiresAt: 2_000_000 } };

    expect(await resumeExpiredJobs(deps)).toEqual({ resumed: 0, failed: 0, errors: 0 });
    expect(calls.reannounced).toEqual([]);
  });
});
