/**
 * Faults on demand for the local cloud (docs/local-cloud.md, "Faults on demand"): kill the whole
 * runtime (SIGKILL, as `kill -9` does) when core reaches a named step (core/faults.ts), make
 * DynamoDB or SES answer errors for N seconds, drop webhook deliveries. Set at start with
 * `UPLOCK_FAULTS='{"killAt":"delivery:sent"}'` or at any time with `POST /__local/faults` on the
 * gateway; tests use the same switchboard.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FaultStep } from '../lambdas/core/faults';

export interface FaultPlan {
  /** SIGKILL this process when core reaches this step… */
  killAt?: FaultStep;
  /** …the n-th time (default 1). */
  killAtHit?: number;
  /** DynamoDB answers HTTP 500 InternalServerError for this many seconds from now. */
  dynamodbErrorsSeconds?: number;
  /** SES answers HTTP 500 for this many seconds from now. */
  sesErrorsSeconds?: number;
  /** The next N Stripe webhook deliveries are dropped: the connection closes with no reply. */
  dropWebhooks?: number;
}

export interface FaultState {
  killAt?: FaultStep;
  killAtHit?: number;
  dynamodbErrorsUntil?: string;
  sesErrorsUntil?: string;
  dropWebhooks: number;
  /** How often each step was reached since start: lets a rehearsal see where it could kill. */
  reached: Record<string, number>;
}

const STEP = /^(event|delivery|job):[a-z-]+$/;

/** Validate a plan from JSON (env var or HTTP body); throws with what is wrong. */
export function parseFaultPlan(raw: unknown): FaultPlan {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('a fault plan is a JSON object');
  const plan = raw as Record<string, unknown>;
  const known = ['killAt', 'killAtHit', 'dynamodbErrorsSeconds', 'sesErrorsSeconds', 'dropWebhooks'];
  const unknown = Object.keys(plan).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`unknown fault setting: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (plan.killAt !== undefined && (typeof plan.killAt !== 'string' || !STEP.test(plan.killAt))) {
    throw new Error('killAt names a step such as "delivery:sent" (docs/local-cloud.md lists them)');
  }
  for (const key of ['killAtHit', 'dynamodbErrorsSeconds', 'sesErrorsSeconds', 'dropWebhooks']) {
    const value = plan[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) throw new Error(`${key} must be a number ≥ 0`);
  }
  return plan as FaultPlan;
}

export class FaultSwitchboard {
  private killAt: FaultStep | undefined;
  private killAtHit = 1;
  private hits = 0;
  private dynamodbUntil = 0;
  private sesUntil = 0;
  private drops = 0;
  private readonly reached = new Map<string, number>();

  constructor(
    private readonly log: (line: string) => void = () => undefined,
    private readonly kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
  ) {}

  /** Apply a plan on top of what is set (a key left out keeps its setting). */
  set(plan: FaultPlan): void {
    const now = Date.now();
    if (plan.killAt !== undefined) {
      this.killAt = plan.killAt;
      this.killAtHit = Math.max(1, Math.floor(plan.killAtHit ?? 1));
      this.hits = 0;
    }
    if (plan.dynamodbErrorsSeconds !== undefined) this.dynamodbUntil = now + plan.dynamodbErrorsSeconds * 1000;
    if (plan.sesErrorsSeconds !== undefined) this.sesUntil = now + plan.sesErrorsSeconds * 1000;
    if (plan.dropWebhooks !== undefined) this.drops = Math.floor(plan.dropWebhooks);
  }

  clear(): void {
    this.killAt = undefined;
    this.dynamodbUntil = 0;
    this.sesUntil = 0;
    this.drops = 0;
  }

  state(): FaultState {
    const now = Date.now();
    return {
      ...(this.killAt ? { killAt: this.killAt, killAtHit: this.killAtHit } : {}),
      ...(this.dynamodbUntil > now ? { dynamodbErrorsUntil: new Date(this.dynamodbUntil).toISOString() } : {}),
      ...(this.sesUntil > now ? { sesErrorsUntil: new Date(this.sesUntil).toISOString() } : {}),
      dropWebhooks: this.drops,
      reached: Object.fromEntries(this.reached),
    };
  }

  /** The hook core calls (lambdas/adapters/fault-hook.ts). */
  readonly hook = (step: FaultStep): void => {
    this.reached.set(step, (this.reached.get(step) ?? 0) + 1);
    if (step !== this.killAt || ++this.hits < this.killAtHit) return;
    this.log(`fault: killing the runtime at ${step}`);
    this.kill();
  };

  /** True (and counted) when this webhook delivery is to be dropped. */
  takeWebhookDrop(): boolean {
    if (this.drops <= 0) return false;
    this.drops--;
    return true;
  }

  /**
   * Put an error switch in front of an emulator's HTTP server: while `failing()` holds, every
   * request gets `answer` instead of reaching the emulator.
   */
  static guard(server: Server, failing: () => boolean, answer: (res: ServerResponse) => void): void {
    const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!failing()) {
        for (const listener of listeners) listener.call(server, req, res);
        return;
      }
      req.resume();
      answer(res);
    });
  }

  guardDynamoDb(server: Server): void {
    FaultSwitchboard.guard(
      server,
      () => Date.now() < this.dynamodbUntil,
      (res) => {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'fault injected by the local cloud' }));
      },
    );
  }

  guardSes(server: Server): void {
    FaultSwitchboard.guard(
      server,
      () => Date.now() < this.sesUntil,
      (res) => {
        res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
        res.end(JSON.stringify({ message: 'fault injected by the local cloud' }));
      },
    );
  }
}
