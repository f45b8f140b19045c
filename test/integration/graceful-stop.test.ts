/**
 * The local cloud's graceful stop (local/cloud.ts `stop()`, Ctrl-C and SIGTERM for `npm start`):
 * stopped while webhook handlers are running, it lets each finish before the stores close, so no
 * order is left paid but undelivered behind a delivery claim, and no Stripe event in progress.
 * Its own file: handlers read their config once per process, so one local cloud per process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { describe, expect, it } from 'vitest';
import { awsClientSettings } from '../../lambdas/adapters/clients';
import { documentClient } from '../../lambdas/adapters/dynamo-order-store';
import { startLocalCloud } from '../../local/cloud';
import { LOCAL_TABLE } from '../../local/runtime-config';
import { payOnStripePage, readyOrder, type TestCloud } from './local-cloud';

const CARD = '4242 4242 4242 4242';

async function scanTable(dataDir: string): Promise<Record<string, unknown>[]> {
  const server = dynalite({ path: path.join(dataDir, 'dynamodb') }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = documentClient(new DynamoDBClient(awsClientSettings('us-east-1', `http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  try {
    const out = await client.send(new ScanCommand({ TableName: LOCAL_TABLE, ConsistentRead: true }));
    return out.Items ?? [];
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('graceful stop', () => {
  it('drains the handlers still running: every paid order is delivered and no delivery claim is left behind', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uplock-graceful-'));
    const other = await startLocalCloud({
      dataDir,
      ports: { gateway: 0, dynamodb: 0, s3: 0, ses: 0, stripe: 0 },
      sweepIntervalSeconds: 0,
      stripe: { webhookRetryBaseMs: 50, settleAfterMs: 3_600_000, disputeAfterMs: 3_600_000 },
    });
    const api = { ...other, api: (p: string, init?: RequestInit) => fetch(`${other.urls.site}${p}`, init) } as TestCloud;
    try {
      const orders = await Promise.all(Array.from({ length: 6 }, (_, i) => readyOrder(api, `graceful-${i}-${Date.now()}@example.com`)));
      const payments = orders.map((o) => payOnStripePage(o.payUrl, CARD).catch(() => undefined));
      // Stop as soon as a webhook handler is inside handleStripeEvent.
      const deadline = Date.now() + 30_000;
      while (!other.faults.state().reached['event:received'] && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      const receivedAtStop = other.faults.state().reached['event:received'] ?? 0;
      expect(receivedAtStop).toBeGreaterThan(0);
      await other.stop();
      await Promise.all(payments);
      const items = await scanTable(dataDir);
      const stored = items.filter((i) => String(i.pk).startsWith('ORDER#') && orders.some((o) => `ORDER#${o.orderId}` === i.pk));
      const paid = stored.filter((i) => i.payment === 'paid');
      // Every handler that started finished: at least those orders are paid, and each is delivered.
      expect(paid.length).toBeGreaterThanOrEqual(receivedAtStop);
      for (const order of paid) {
        expect(order.deliveredAt, `order ${String(order.pk)}`).toBeDefined();
        expect(order.claimAt, `order ${String(order.pk)} kept a delivery claim`).toBeUndefined();
      }
      // No Stripe event was left in progress for a takeover after a restart.
      const inProgress = items.filter((i) => String(i.pk).startsWith('STRIPE_EVENT') && i.status === 'INPROGRESS');
      expect(inProgress).toEqual([]);
    } finally {
      await other.stop().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
