/**
 * The job: turn an uploaded file into a free preview and a paid result. One use case, whatever
 * runs it: the Lambda handler (handlers/process-upload.ts), the Fargate task
 * (handlers/process-task.ts) and the container job runner (handlers/job-runner.ts) only wire ports
 * to `runJob`. What does the analysis is a `Processor`: the built-in data profile
 * (processors/profile) or an operator's command (processors/command, docs/jobs.md).
 *
 * The job's claim expires and counts attempts: a job killed mid-run leaves `processing` with a
 * past expiry; the next "Object Created" for the upload (a redelivery, or the sweeper's
 * `resumeExpiredJobs` re-announcing the upload) takes the claim over, and after the last attempt
 * the order fails with a message: "no result, no charge".
 */
import type { Fault } from './faults';
import type { OrderId } from './ids';
import { orderIdFromUploadKey, uploadKey } from './ids';
import type { JobError, Order } from './order';
import { extensionOf } from './validation';

export interface ProcessorInput {
  /** The upload, streamed from S3 GetObject. Never read it whole into memory. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Original file name as the customer gave it (untrusted: escape before rendering). */
  readonly fileName: string;
  /** Byte limit from config: stop and fail with `too_large` past it (local S3 does not enforce it). */
  readonly maxBytes: number;
  /**
   * The upload's size in bytes when known (S3's Content-Length): a processor may size its memory
   * for it once instead of growing it as the bytes arrive. Absent: unknown.
   */
  readonly sizeBytes?: number;
  /** The order's language (`en`, `ja`): the result is written in it. Absent: English. */
  readonly lang?: string;
  /** The order this result is for, shown in the result's header. Absent: not shown. */
  readonly orderId?: string;
  /** When the job produces the result (ISO 8601), shown in its header. Absent: the processor's clock. */
  readonly generatedAt?: string;
  /** Percent done (0-100), as the processor learns it; shown on the order page. */
  readonly onProgress?: (percent: number) => void;
}

/** Bytes stored as they are read, never whole in memory (a command job's result files). */
export interface StreamedBody {
  readonly size: number;
  /** The bytes from the start; may be called again for another read. */
  read(): AsyncIterable<Uint8Array>;
}

export type ArtifactBody = string | Uint8Array | StreamedBody;

export interface Artifact {
  /** File name under results/<orderId>/, e.g. `report.html`. Letters, digits, `.`, `-`, `_` only. */
  readonly name: string;
  readonly contentType: string;
  readonly body: ArtifactBody;
}

export interface ProcessorResult {
  /** Free preview (JSON-serialisable, small, with a `kind`): never the paid content. */
  readonly preview: unknown;
  /** The paid result; at least one. */
  readonly artifacts: readonly Artifact[];
  /** Name of the artifact the download link serves. */
  readonly primary: string;
  /** Frees what streamed bodies read from (a command job's work folder); runJob calls it once they are stored or the run ends. */
  readonly release?: () => Promise<void>;
}

/** A failure the customer should be told about, with a message a person understands. */
export class ProcessingError extends Error {
  constructor(
    /** snake_case code, e.g. `empty_file`, `not_text`, `too_large`. */
    readonly code: string,
    /** For a person: shown on the order page and in emails. */
    readonly customerMessage: string,
    /** For the operator's log only (what exactly the job did wrong); never shown to the customer. */
    readonly detail?: string,
  ) {
    super(customerMessage);
    this.name = 'ProcessingError';
  }
}

/** The seam: the built-in profile and an operator's command both implement it. */
export interface Processor {
  readonly name: string;
  /** Lower-case extensions including the dot, e.g. `.csv`. */
  readonly acceptedExtensions: readonly string[];
  /** How long one run may take, ms: the claim lasts this long (plus a margin) before another attempt may take over. */
  readonly timeoutMs?: number;
  process(input: ProcessorInput): Promise<ProcessorResult>;
}

/** Granted claim: which attempt this run is. */
export interface JobClaim {
  readonly attempt: number;
}

export interface JobClaimRequest {
  /** Epoch ms. */
  readonly now: number;
  /** Epoch ms until which nobody else may take the job over. */
  readonly expiresAt: number;
  /** A `processing` job whose claim expired is taken over only while attempts < this. */
  readonly maxAttempts: number;
}

export interface JobStore {
  getOrder(orderId: OrderId): Promise<Order | undefined>;
  /** awaiting_upload → processing (attempt 1), or take over an expired claim with attempts left. */
  startJob(orderId: OrderId, claim: JobClaimRequest): Promise<JobClaim | undefined>;
  /** processing → done; with `attempt`, only while that attempt still holds the claim. */
  /** `resultFiles`: every artifact stored, the primary first (the ready email lists them). */
  finishJob(orderId: OrderId, primaryArtifact: string, attempt?: number, resultFiles?: readonly string[]): Promise<boolean>;
  /** awaiting_upload | processing → failed; with `attempt`, only while that attempt holds the claim. */
  failJob(orderId: OrderId, error: JobError, attempt?: number): Promise<boolean>;
  /** Record progress (0-100) while that attempt holds the claim. */
  setJobProgress(orderId: OrderId, attempt: number, progress: number): Promise<void>;
  /** Orders in `processing` whose claim expired before `now` (epoch ms), oldest first. */
  expiredJobs(now: number, limit: number): Promise<Order[]>;
}

export interface JobBlobs {
  getInput(key: string): Promise<{ body: AsyncIterable<Uint8Array>; size: number; fileName?: string } | undefined>;
  putResult(orderId: OrderId, name: string, body: ArtifactBody, contentType: string): Promise<void>;
  putPreview(orderId: OrderId, preview: unknown): Promise<void>;
  /** Announce the upload again ("Object Created"), so that the job's own trigger runs it again. */
  reannounceInput?(key: string): Promise<void>;
}

export interface JobSettings {
  readonly maxUploadBytes: number;
  /** What config accepts: the processor's own list narrowed by config, never widened. */
  readonly acceptedExtensions: readonly string[];
  /** Attempts before the order fails. */
  readonly maxAttempts: number;
  /** How long one run holds the claim (config `job.claimSeconds`); absent: claimDurationMs's default. */
  readonly claimMs?: number;
}

export type Report = (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;

export interface JobDeps {
  readonly store: JobStore;
  readonly blobs: JobBlobs;
  readonly processor: Processor;
  readonly settings: JobSettings;
  /**
   * "No result, no charge": see that a paid order whose job failed is refunded (core/stripe-events.ts
   * refundNoResult; the job's own wiring announces the failure to the function that holds Stripe).
   */
  readonly refundNoResult: (orderId: OrderId) => Promise<unknown>;
  /** The customer may have paid already (core/delivery.ts deliverIfDue). */
  readonly deliverIfDue: (orderId: OrderId) => Promise<unknown>;
  readonly report: Report;
  readonly count?: (metric: 'JobFailures') => void;
  readonly now?: () => number;
  /** Called at each named step (JOB_FAULT_STEPS), so the local cloud can kill the runtime there. */
  readonly fault?: Fault;
}

/**
 * The job's named steps (core/faults.ts, docs/local-cloud.md "Faults on demand"); crash tests kill
 * the runtime at each, so the names stay stable:
 * - `job:claimed`: the claim is written (order `processing`, attempt counted), nothing else done;
 * - `job:output-written`: the processor finished (a command's files are in its output folder), nothing stored;
 * - `job:result-stored`: result files and preview are in the bucket, the order not yet `done`;
 * - `job:done`: the order is `done`, delivery not yet tried;
 * - `job:failed`: the order is `failed`, the "no result, no charge" refund not yet tried.
 */
export const JOB_FAULT_STEPS = ['job:claimed', 'job:output-written', 'job:result-stored', 'job:done', 'job:failed'] as const;
export type JobFaultStep = (typeof JOB_FAULT_STEPS)[number];

export type JobOutcome = 'ignored' | 'replayed' | 'done' | 'failed';

/** Time allowed beyond the processor's own timeout for reading the input and storing results. */
export const JOB_CLAIM_MARGIN_MS = 2 * 60 * 1000;
/** The built-in processor's run time when it names none: Lambda's own ceiling. */
export const DEFAULT_JOB_TIMEOUT_MS = 15 * 60 * 1000;
export const DEFAULT_JOB_ATTEMPTS = 3;
/** Progress is written at most this often, so a chatty job costs few writes. */
export const PROGRESS_WRITE_INTERVAL_MS = 1000;

const SAFE_ARTIFACT = /^[A-Za-z0-9._-]{1,100}$/;

/** A result file name the bucket layout allows (also checked by core/operations.ts rerunOrder). */
export const isSafeArtifactName = (name: string): boolean => SAFE_ARTIFACT.test(name);

/**
 * The sentence a failure message for the customer ends with (here, processors/command/run-command.ts).
 * It is true only while nothing was paid: the order view leaves it out otherwise (core/order.ts
 * orderView), and the order page says what happened to the payment instead.
 */
export const NOT_CHARGED = 'You have not been charged.';
const GENERIC_FAILURE = `We could not analyse this file. ${NOT_CHARGED}`;
const GAVE_UP = `The analysis stopped before it finished, several times. ${NOT_CHARGED}`;

/** The claim one run holds: what config sets (`job.claimSeconds`), else the processor's time limit plus the margin. */
export const claimDurationMs = (processor: Processor, configuredMs?: number): number =>
  configuredMs ?? (processor.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS) + JOB_CLAIM_MARGIN_MS;

/** Run the job for one "Object Created" of `uploads/<orderId>/input`. */
export async function runJob(key: string, deps: JobDeps): Promise<JobOutcome> {
  try {
    return await runJobSteps(key, deps);
  } catch (error) {
    throw error instanceof CrashAtStep ? error.cause : error;
  }
}

async function runJobSteps(key: string, deps: JobDeps): Promise<JobOutcome> {
  const now = deps.now ?? Date.now;
  const { store, blobs, processor, settings } = deps;
  const orderId = orderIdFromUploadKey(key);
  if (!orderId) {
    deps.report('warn', 'object outside the order layout ignored', { key });
    return 'ignored';
  }
  const startedAt = now();
  const claim = await store.startJob(orderId, { now: startedAt, expiresAt: startedAt + claimDurationMs(processor, settings.claimMs), maxAttempts: settings.maxAttempts });
  if (!claim) {
    // A live claim (another run), a finished job, an unknown order, or a job out of attempts.
    const order = await store.getOrder(orderId);
    if (order && exhausted(order, startedAt, settings.maxAttempts)) {
      await giveUp(order, deps);
      return 'failed';
    }
    deps.report('info', 'job already started, finished or unknown', { orderId });
    return 'replayed';
  }
  const { attempt } = claim;
  const fault = async (step: JobFaultStep): Promise<void> => {
    try {
      await deps.fault?.(step);
    } catch (error) {
      // A fault stands for a crash at that step: it leaves runJob as it is, never as a job failure.
      throw new CrashAtStep(error);
    }
  };
  await fault('job:claimed');

  const fail = async (code: string, message: string): Promise<JobOutcome> => {
    await store.failJob(orderId, { code, message }, attempt);
    deps.count?.('JobFailures');
    deps.report('warn', 'job failed', { orderId, code, attempt });
    await fault('job:failed');
    // The customer may have paid already: no result, no charge.
    await deps.refundNoResult(orderId);
    return 'failed';
  };

  let lastWrite = 0;
  let lastProgress = -1;
  let progressWrite: Promise<void> = Promise.resolve();
  const onProgress = (percent: number) => {
    const value = Math.max(0, Math.min(100, Math.round(percent)));
    const at = now();
    if (value === lastProgress || at - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
    lastWrite = at;
    lastProgress = value;
    // Progress is a courtesy: a failed write must not fail the job.
    progressWrite = progressWrite
      .then(() => store.setJobProgress(orderId, attempt, value))
      .catch((error: unknown) => deps.report('warn', 'progress not recorded', { orderId, error: String(error) }));
  };

  try {
    const input = await blobs.getInput(key);
    if (!input) return await fail('upload_missing', 'We could not find your upload. Please start again.');
    // The local S3 does not enforce the POST policy, and AWS's is the browser's word: check here.
    if (input.size > settings.maxUploadBytes) return await fail('too_large', 'The file is larger than the upload limit.');
    if (input.size === 0) return await fail('empty_file', 'The file is empty.');
    // The upload carries its name in metadata; the order has it too, and the customer's language.
    const order = await store.getOrder(orderId);
    const fileName = input.fileName ?? order?.fileName ?? 'upload';
    const lang = order?.lang ?? 'en';
    if (!settings.acceptedExtensions.includes(extensionOf(fileName))) {
      return await fail('extension_not_accepted', 'Files of this type are not accepted.');
    }
    const result = await processor.process({
      body: input.body,
      fileName,
      maxBytes: settings.maxUploadBytes,
      sizeBytes: input.size,
      lang,
      orderId,
      generatedAt: new Date(now()).toISOString(),
      onProgress,
    });
    try {
      await progressWrite;
      await fault('job:output-written');
      if (!result.artifacts.some((a) => a.name === result.primary)) throw new Error(`processor ${processor.name} named a missing primary artifact`);
      for (const artifact of result.artifacts) {
        if (!SAFE_ARTIFACT.test(artifact.name)) throw new Error(`processor ${processor.name} returned an unsafe artifact name`);
        await blobs.putResult(orderId, artifact.name, artifact.body, artifact.contentType);
      }
      await blobs.putPreview(orderId, result.preview);
    } finally {
      await result.release?.();
    }
    await fault('job:result-stored');
    const resultFiles = [result.primary, ...result.artifacts.map((a) => a.name).filter((name) => name !== result.primary)];
    if (!(await store.finishJob(orderId, result.primary, attempt, resultFiles))) {
      // A later attempt took over (this one outlived its claim): that one finishes the order.
      deps.report('warn', 'job finished after its claim was taken over', { orderId, attempt });
      return 'replayed';
    }
    await fault('job:done');
  } catch (error) {
    if (error instanceof CrashAtStep) throw error;
    await progressWrite;
    if (error instanceof ProcessingError) {
      if (error.detail) deps.report('warn', 'job refused', { orderId, attempt, code: error.code, detail: error.detail });
      return await fail(error.code, error.customerMessage);
    }
    deps.report('error', 'job crashed', { orderId, attempt, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return await fail('processing_error', GENERIC_FAILURE);
  }
  deps.report('info', 'job done', { orderId, attempt });
  await deps.deliverIfDue(orderId);
  return 'done';
}

/** What a fault hook threw at a named step, carried past runJob's own failure handling. */
class CrashAtStep {
  constructor(readonly cause: unknown) {}
}

/** A `processing` job whose claim expired with no attempt left. */
function exhausted(order: Order, now: number, maxAttempts: number): boolean {
  return order.job === 'processing' && (order.jobClaim?.expiresAt ?? 0) < now && (order.jobClaim?.attempts ?? 0) >= maxAttempts;
}

async function giveUp(order: Order, deps: Pick<JobDeps, 'store' | 'refundNoResult' | 'report' | 'count' | 'fault'>): Promise<void> {
  const moved = await deps.store.failJob(order.orderId, { code: 'job_stopped', message: GAVE_UP }, order.jobClaim?.attempts);
  if (moved) {
    deps.count?.('JobFailures');
    deps.report('warn', 'job out of attempts', { orderId: order.orderId, attempts: order.jobClaim?.attempts });
    await deps.fault?.('job:failed');
  }
  // Whether this call or an earlier one failed it, the refund may still be owed (a crash between).
  await deps.refundNoResult(order.orderId);
}

export interface ResumeReport {
  resumed: number;
  failed: number;
  errors: number;
}

/**
 * The sweeper's part for jobs: a job whose claim expired is either announced again (the job's own
 * trigger runs it, wherever it runs: Lambda, Fargate, the local cloud) or, out of attempts, failed
 * and refunded. Idempotent: a job resumed twice is claimed once.
 */
export async function resumeExpiredJobs(
  deps: Pick<JobDeps, 'store' | 'refundNoResult' | 'report' | 'count' | 'now' | 'fault'> & {
    blobs: Pick<JobBlobs, 'reannounceInput'>;
    settings: Pick<JobSettings, 'maxAttempts'>;
  },
  limit = 100,
): Promise<ResumeReport> {
  const now = (deps.now ?? Date.now)();
  const report: ResumeReport = { resumed: 0, failed: 0, errors: 0 };
  for (const order of await deps.store.expiredJobs(now, limit)) {
    try {
      if (exhausted(order, now, deps.settings.maxAttempts)) {
        await giveUp(order, deps);
        report.failed++;
      } else if (deps.blobs.reannounceInput) {
        await deps.blobs.reannounceInput(uploadKey(order.orderId));
        report.resumed++;
      }
    } catch (error) {
      // One bad job must not stop the others; the next sweep tries again.
      deps.report('error', 'could not resume an expired job', { orderId: order.orderId, error: String(error) });
      report.errors++;
    }
  }
  return report;
}
