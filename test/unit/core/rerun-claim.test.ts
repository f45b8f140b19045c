/**
 * `uplock orders rerun` holds its claim as long as a run of the job does (core/operations.ts
 * rerunOrder, core/job.ts claimDurationMs): config `job.claimSeconds` when set, else the
 * processor's time limit plus the margin. Run on the in-memory order store, whose claimRerun has
 * the DynamoDB adapter's condition (no claim, or one that expired before now).
 */
import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../lambdas/core/ids';
import { JOB_CLAIM_MARGIN_MS, type ProcessorResult } from '../../../lambdas/core/job';
import { rerunOrder, type RerunDeps } from '../../../lambdas/core/operations';
import type { Order } from '../../../lambdas/core/order';
import { InMemoryOrderStore } from '../in-memory/order-store';

const ORDER = '5a7c9e1b-2d4f-4a6b-8c0d-1e2f3a4b5c6d' as OrderId;
const T0 = Date.parse('2026-12-01T10:00:00Z');
const PROCESSOR_TIMEOUT_MS = 10_000;

const done: Order = {
  orderId: ORDER,
  email: 'buyer@example.com',
  fileName: 'in.txt',
  size: 5,
  lang: 'en',
  createdAt: '2026-11-30T00:00:00.000Z',
  job: 'done',
  primaryArtifact: 'r.txt',
  payment: 'unpaid',
  expiresAt: 0,
};

const result = (): ProcessorResult => ({ preview: { kind: 'job' }, artifacts: [{ name: 'r.txt', contentType: 'text/plain', body: 'again' }], primary: 'r.txt' });

/** A done order, and reruns whose first run of the processor waits until `finishFirst` is called. */
function setup(claimMs: number | undefined) {
  let clock = T0;
  const store = new InMemoryOrderStore(() => clock);
  store.orders.set(ORDER, done);
  let finishFirst: () => void = () => undefined;
  const firstRelease = new Promise<void>((resolve) => (finishFirst = resolve));
  let firstStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (firstStarted = resolve));
  let runs = 0;
  const deps: RerunDeps = {
    store,
    blobs: {
      getInput: async () => ({ body: (async function* () { yield new TextEncoder().encode('hello'); })(), size: 5, fileName: 'in.txt' }),
      putResult: async () => undefined,
      putPreview: async () => undefined,
    },
    processor: {
      name: 'test',
      acceptedExtensions: ['.txt'],
      timeoutMs: PROCESSOR_TIMEOUT_MS,
      process: async () => {
        if (++runs === 1) {
          firstStarted();
          await firstRelease;
        }
        return result();
      },
    },
    mailer: { send: async () => undefined },
    settings: {
      siteUrl: 'https://shop.example.com',
      productName: 'Report',
      downloadLimit: 5,
      linkTtlHours: 168,
      maxUploadBytes: 100,
      acceptedExtensions: ['.txt'],
      retentionDays: 30,
      ...(claimMs === undefined ? {} : { claimMs }),
    },
    now: () => clock,
  };
  return { store, deps, started, finishFirst, setClock: (at: number) => (clock = at) };
}

describe('rerunOrder: how long its claim lasts', () => {
  it.each([
    { claimMs: 5_000, held: 5_000, why: 'config job.claimSeconds' },
    { claimMs: undefined, held: PROCESSOR_TIMEOUT_MS + JOB_CLAIM_MARGIN_MS, why: "the processor's time limit plus the margin (no job.claimSeconds)" },
  ])('holds the claim for $why, then another rerun may take it over', async ({ claimMs, held }) => {
    const { store, deps, started, finishFirst, setClock } = setup(claimMs);

    const first = rerunOrder(ORDER, deps);
    // The first rerun is now running its processor (or failed before it, which fails the test).
    await Promise.race([started, first]);

    expect(store.orders.get(ORDER)?.rerunClaim).toEqual({ revision: 2, expiresAt: T0 + held });
    setClock(T0 + held);
    await expect(rerunOrder(ORDER, deps)).rejects.toMatchObject({ name: 'OperationRefused', code: 'rerun_running' });
    setClock(T0 + held + 1);
    await expect(rerunOrder(ORDER, deps)).resolves.toMatchObject({ orderId: ORDER, revision: 2 });
    finishFirst();
    await expect(first).rejects.toMatchObject({ code: 'rerun_overtaken' });
    expect(store.orders.get(ORDER)).toMatchObject({ resultRevision: 2, primaryArtifact: 'r.txt' });
    expect(store.orders.get(ORDER)?.rerunClaim).toBeUndefined();
  });
});
