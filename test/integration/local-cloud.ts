/**
 * Helpers for integration tests: a local cloud on free ports in a temp dir, and the steps a
 * browser takes, done over real HTTP (create order, presigned POST upload, pay on the Stripe page,
 * read the email from the SES store).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import StripeSdk from 'stripe';
import { startLocalCloud, type ConfigOverrides, type LocalCloud, type LocalCloudOptions } from '../../local/cloud';
import type { CreatedOrder, OrderView } from '../../lambdas/contract';

export interface TestCloud extends LocalCloud {
  api(pathname: string, init?: RequestInit): Promise<Response>;
}

export async function startTestCloud(
  config?: ConfigOverrides,
  stripe?: LocalCloudOptions['stripe'],
  extra?: Pick<LocalCloudOptions, 'job' | 'ses' | 'staticDir'>,
): Promise<TestCloud> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uplock-test-'));
  const cloud = await startLocalCloud({
    dataDir,
    ports: { gateway: 0, dynamodb: 0, s3: 0, ses: 0, stripe: 0 },
    // Tests run the sweeper themselves, when they mean to.
    sweepIntervalSeconds: 0,
    // Fast webhook retries; delayed payments and disputes settle only when a test says so.
    stripe: { webhookRetryBaseMs: 50, settleAfterMs: 3_600_000, disputeAfterMs: 3_600_000, ...stripe },
    ...(config ? { config } : {}),
    ...extra,
    log: (line) => {
      if (process.env.UPLOCK_TEST_LOG) console.error(line);
    },
  });
  return {
    ...cloud,
    api: (pathname, init) => fetch(`${cloud.urls.site}${pathname}`, init),
    stop: async () => {
      await cloud.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type { CreatedOrder, OrderView } from '../../lambdas/contract';

export async function createOrder(cloud: TestCloud, body: Record<string, unknown>): Promise<Response> {
  return cloud.api('/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export async function createOrderOk(cloud: TestCloud, email: string, fileName: string, content: string | Uint8Array): Promise<CreatedOrder> {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  const res = await createOrder(cloud, { email, fileName, size, contentType: 'text/csv' });
  if (res.status !== 201) throw new Error(`create order: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedOrder;
}

/** The browser's multipart POST to S3: every presigned field first, the file last. */
export async function uploadFile(order: CreatedOrder, fileName: string, content: string | Uint8Array): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(order.upload.fields)) form.append(key, value);
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), fileName);
  return fetch(order.upload.url, { method: 'POST', body: form });
}

export async function getOrder(cloud: TestCloud, orderId: string): Promise<OrderView> {
  const res = await cloud.api(`/api/orders/${orderId}`);
  if (res.status !== 200) throw new Error(`get order: ${res.status} ${await res.text()}`);
  return (await res.json()) as OrderView;
}

/** Poll until `done(view)`, as the page does; fails with the last view after the timeout. */
export async function waitForOrder(cloud: TestCloud, orderId: string, done: (v: OrderView) => boolean, timeoutMs = 20_000): Promise<OrderView> {
  const deadline = Date.now() + timeoutMs;
  let view = await getOrder(cloud, orderId);
  while (!done(view)) {
    if (Date.now() > deadline) throw new Error(`order did not reach the expected state: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 50));
    view = await getOrder(cloud, orderId);
  }
  return view;
}

/** Fill and submit the first form of the Stripe payment page; returns the response (303 on success). */
/** Polls until `check` stops throwing (a cloud converging after a restart or a redelivery); rethrows the last failure. */
export async function eventually(check: () => Promise<void>, timeoutMs = 20_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

export async function payOnStripePage(payUrl: string, card: string, email?: string): Promise<Response> {
  const page = await fetch(payUrl);
  const html = await page.text();
  const form = /<form method="post"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error(`no payment form on ${payUrl}: ${html.slice(0, 200)}`);
  const fields = new URLSearchParams();
  for (const input of form.matchAll(/<input([^>]*)>/g)) {
    const attrs = input[1] ?? '';
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    if (name) fields.set(name, value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
  }
  fields.set('card_number', card);
  if (email) fields.set('email', email);
  return fetch(payUrl, { method: 'POST', body: fields, redirect: 'manual' });
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export async function emails(cloud: TestCloud): Promise<StoredEmail[]> {
  const res = await fetch(cloud.urls.sesStore);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

export async function waitForEmails(cloud: TestCloud, to: string, count: number, timeoutMs = 10_000): Promise<StoredEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = (await emails(cloud)).filter((e) => e.destination.to.includes(to));
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const downloadLinkIn = (email: StoredEmail): string | undefined => /https?:\/\/\S+\/d\/[A-Za-z0-9_-]{43}/.exec(email.body.text ?? '')?.[0];

export const sampleCsv = (rows = 20): string =>
  ['name,email,age', ...Array.from({ length: rows }, (_, i) => `person ${i},p${i}@example.com,${20 + i}`)].join('\n') + '\n';

/** An order whose job is done and which is still unpaid: what the page shows with a Pay button. */
export async function readyOrder(cloud: TestCloud, email: string): Promise<OrderView & { payUrl: string }> {
  const csv = sampleCsv(3);
  const order = await createOrderOk(cloud, email, 'data.csv', csv);
  await uploadFile(order, 'data.csv', csv);
  const view = await waitForOrder(cloud, order.orderId, (v) => v.job === 'done');
  return { ...view, payUrl: withPrefilledEmail(view.payUrl as string, email) };
}

/** What the order page does with the address its browser entered: the API's payUrl has none. */
export function withPrefilledEmail(payUrl: string, email: string): string {
  const url = new URL(payUrl);
  url.searchParams.set('prefilled_email', email);
  return url.toString();
}

/** A Stripe SDK client talking to the cloud's Stripe stand-in. */
export function standInStripe(cloud: TestCloud): import('stripe').default {
  const url = new URL(cloud.urls.stripe);
  return new StripeSdk('sk_test_uplock_local', { host: url.hostname, port: url.port, protocol: 'http' });
}
