/**
 * The local cloud in a child process (cloud-child.ts), so that a fault can kill it for real and a
 * test can start it again on the same data directory and the same ports, as an operator restarts
 * `npm start`. It offers what local-cloud.ts's helpers need (`api`, `urls`), so they work on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeConfig } from '../../lambdas/config';
import type { LocalCloud, LocalCloudOptions, Service } from '../../local/cloud';
import type { FaultPlan } from '../../local/faults';
import type { TestCloud } from './local-cloud';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cloud-child.ts');
const SERVICES: Service[] = ['gateway', 'dynamodb', 's3', 'ses', 'stripe'];

export type ChildOptions = Omit<LocalCloudOptions, 'dataDir' | 'ports' | 'log'>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class CloudProcess {
  /** Every line the child wrote to standard error (its log), across restarts. */
  readonly log: string[] = [];
  private child: ChildProcess | undefined;
  private exit: Promise<Exit> | undefined;
  private ready: { urls: LocalCloud['urls']; config: RuntimeConfig; webhookSecret: string } | undefined;

  private constructor(
    readonly dataDir: string,
    private readonly ports: Record<Service, number>,
    private readonly options: ChildOptions,
  ) {}

  /** Ports are picked once, so each restart listens where the last one did (the Payment Link's return URL, open pages). */
  static async create(dataDir: string, options: ChildOptions): Promise<CloudProcess> {
    const ports = {} as Record<Service, number>;
    for (const service of SERVICES) ports[service] = await freePort();
    return new CloudProcess(dataDir, ports, options);
  }

  get urls(): LocalCloud['urls'] {
    if (!this.ready) throw new Error('the local cloud is not running');
    return this.ready.urls;
  }

  get config(): RuntimeConfig {
    if (!this.ready) throw new Error('the local cloud is not running');
    return this.ready.config;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** What local-cloud.ts's helpers take. */
  asTestCloud(): TestCloud {
    return { urls: this.urls, config: this.config, api: (pathname: string, init?: RequestInit) => fetch(`${this.urls.site}${pathname}`, init) } as unknown as TestCloud;
  }

  /** `faults`: a plan armed before anything runs in the new process (a kill at the first job or event it reaches). */
  async start(faults?: FaultPlan): Promise<void> {
    if (this.child) throw new Error('already running');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      UPLOCK_TEST_CLOUD: JSON.stringify({ ...this.options, ...(faults ? { faults } : {}), dataDir: this.dataDir, ports: this.ports }),
      POWERTOOLS_LOG_LEVEL: 'WARN',
    };
    // Values a local cloud earlier in this process set for its own handlers.
    for (const name of ['UPLOCK_CONFIG', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'UPLOCK_FAULTS']) delete env[name];
    const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exit = new Promise<Exit>((resolve) =>
      child.once('exit', (code, signal) => {
        this.child = undefined;
        resolve({ code, signal });
      }),
    );
    let stderrTail = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (stderrTail + chunk).split('\n');
      stderrTail = lines.pop() ?? '';
      this.log.push(...lines);
      if (process.env.UPLOCK_TEST_LOG) for (const line of lines) console.error(`[cloud] ${line}`);
    });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const line = /^READY (.*)$/m.exec(out)?.[1];
        if (line) resolve(line);
      });
      void this.exit?.then((e) => reject(new Error(`the local cloud exited while starting (${JSON.stringify(e)}): ${this.log.slice(-20).join('\n')}`)));
    });
    this.ready = JSON.parse(ready) as typeof this.ready;
  }

  /** Resolves when the process has exited (a fault killed it, or stop()). */
  async exited(): Promise<Exit> {
    if (!this.exit) throw new Error('never started');
    return this.exit;
  }

  /** The graceful stop (SIGTERM); resolves with how it exited. */
  async stop(): Promise<Exit> {
    if (!this.child) return (await this.exit) ?? { code: null, signal: null };
    this.child.kill('SIGTERM');
    return this.exited();
  }

  /** kill -9. */
  async kill(): Promise<Exit> {
    if (!this.child) return (await this.exit) ?? { code: null, signal: null };
    this.child.kill('SIGKILL');
    return this.exited();
  }

  /** The local cloud's fault control (local/faults.ts, `/__local/faults`). */
  async faults(method: 'GET' | 'POST' | 'DELETE', plan?: object): Promise<{ reached: Record<string, number>; [key: string]: unknown }> {
    const res = await fetch(`${this.urls.site}/__local/faults`, { method, ...(plan ? { body: JSON.stringify(plan) } : {}) });
    if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
    return (await res.json()) as { reached: Record<string, number> };
  }
}
