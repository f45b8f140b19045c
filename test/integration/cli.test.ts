/** The operator's tool itself: help, version, exit codes, JSON errors, and its target. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../bin/cli';
import { uplock } from './cli-support';
import { readyOrder, startTestCloud, type TestCloud } from './local-cloud';

/** Every command of the tool, groups (orders, stripe, job) and leaves alike, as the program declares them. */
const EVERY_COMMAND: string[][] = (() => {
  const walk = (command: Command, path: string[]): string[][] => [
    ...(path.length ? [path] : []),
    ...command.commands.filter((c) => c.name() !== 'help').flatMap((c) => walk(c, [...path, c.name()])),
  ];
  return walk(buildProgram(), []);
})();

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('uplock without a cloud', () => {
  it('prints help with examples, from any directory, and exits 0', async () => {
    const run = await uplock(['--help'], { cwd: os.tmpdir() });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: uplock/);
    expect(run.stdout).toMatch(/Examples:/);
  });

  it('lists every command (groups and leaves) for the --help check below', () => {
    expect(EVERY_COMMAND.map((c) => c.join(' '))).toEqual(expect.arrayContaining(['orders', 'orders rerun', 'broadcast', 'job run', 'profile', 'smoke', 'stripe wire']));
  });

  it.each(EVERY_COMMAND.map((command) => [command.join(' '), command] as const))('has --help with examples for %s', async (_name, command) => {
    const run = await uplock([...command, '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples:\n {2}npx uplock/);
  });

  it('prints the package version', async () => {
    const run = await uplock(['--version']);

    expect(run.stdout.trim()).toBe(version);
  });

  it('exits 2 on a usage error, with the error on stderr', async () => {
    const run = await uplock(['no-such-command']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown command 'no-such-command'/);
  });

  it('prints a usage error as JSON on stdout with --json', async () => {
    const run = await uplock(['--json', 'sweep', '--bogus']);

    expect(run.code).toBe(2);
    expect(run.json()).toEqual({ error: { code: 'usage', message: "unknown option '--bogus'" } });
  });

  it('says the local cloud is not running, as JSON, exit 1', async () => {
    const run = await uplock(['--json', 'sweep'], { env: { UPLOCK_STRIPE_PORT: '1', UPLOCK_PORT: '1' } });

    expect(run.code).toBe(1);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('target_unreachable');
  });

  it('rejects a bad port variable as a usage error naming it', async () => {
    const run = await uplock(['sweep'], { env: { UPLOCK_S3_PORT: 'abc' } });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--s3-port \/ UPLOCK_S3_PORT must be a port number, got "abc"/);
  });
});

describe('uplock against the local cloud', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('orders list / show / stats / export see an order made through the API; unknown orders fail with exit 1', async () => {
    const order = await readyOrder(cloud, 'operator-test@example.com');

    const list = await uplock(['--json', 'orders', 'list', '--email', 'OPERATOR-test@example.com'], { cloud });
    expect(list.code).toBe(0);
    expect(list.json()).toEqual([expect.objectContaining({ orderId: order.orderId, email: 'operator-test@example.com', job: 'done', payment: 'unpaid', delivered: false })]);
    const paidOnly = await uplock(['--json', 'orders', 'list', '--status', 'paid'], { cloud });
    expect(paidOnly.json()).toEqual([]);

    const show = await uplock(['orders', 'show', order.orderId, '--json'], { cloud });
    expect(show.code).toBe(0);
    const detail = show.json<{ orderId: string; timeline: { kind: string }[] }>();
    expect(detail.orderId).toBe(order.orderId);
    expect(detail.timeline.map((e) => e.kind)).toEqual(['created', 'uploaded', 'job_done']);

    const unknown = await uplock(['--json', 'orders', 'show', '00000000-0000-4000-8000-000000000000'], { cloud });
    expect(unknown.code).toBe(1);
    expect(unknown.json()).toEqual({ error: { code: 'order_not_found', message: 'No order 00000000-0000-4000-8000-000000000000.' } });

    const stats = await uplock(['--json', 'stats', '--since', '1h'], { cloud });
    expect(stats.json()).toMatchObject({ orders: 1, previews: 1, paid: 0, conversion: 0, medianUploadToPreviewMs: expect.any(Number) });

    const csv = await uplock(['export', '--csv'], { cloud });
    expect(csv.stdout.split('\r\n')[1]).toMatch(new RegExp(`^${order.orderId},`));
    // Seven runs of the tool, each a fresh process: room for a loaded machine.
  }, 300_000);

  it('rejects a bad --status and --since as usage errors', async () => {
    expect((await uplock(['orders', 'list', '--status', 'shipped'], { cloud })).code).toBe(2);
    expect((await uplock(['orders', 'list', '--since', 'last week'], { cloud })).code).toBe(2);
  });

  it('sweep runs the sweeper and reports what it saw', async () => {
    const run = await uplock(['--json', 'sweep'], { cloud });

    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ sessions: 0, outcomes: {}, events: { listed: 0, outcomes: {} } });
  });

  it('stripe wire finds the local wiring unchanged', async () => {
    const run = await uplock(['stripe', 'wire', '--json'], { cloud });

    expect(run.code).toBe(0);
    const result = run.json<{ paymentLinkId: string; changes: string[] }>();
    expect(result.paymentLinkId).toBe(cloud.config.stripe.paymentLinkId);
    expect(result.changes).toEqual([]);
  });
});
