/**
 * The site under test: the frontend built with Vite's own build() into a temp dir (one per test
 * file, so parallel files never race on frontend/dist), served by the local cloud on free ports.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type CloudOptions = Parameters<typeof startLocalCloud>[0];
/** What a test file may change: runtime config overrides and the Stripe stand-in's delays. */
export type SiteOptions = Pick<CloudOptions, 'config' | 'stripe' | 'job'>;

export interface Site {
  cloud: LocalCloud;
  url: string;
  stop(): Promise<void>;
}

export async function buildFrontend(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: path.join(REPO_ROOT, 'frontend', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'uplock-e2e-'));
  const staticDir = path.join(workDir, 'dist');
  await buildFrontend(staticDir);
  const cloud = await startLocalCloud({
    dataDir: path.join(workDir, 'data'),
    ports: { gateway: 0, dynamodb: 0, s3: 0, ses: 0, stripe: 0 },
    staticDir,
    ...options,
    log: (line) => {
      if (process.env.UPLOCK_TEST_LOG) console.error(line);
    },
  });
  return {
    cloud,
    url: cloud.urls.site,
    stop: async () => {
      await cloud.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export interface SentEmail {
  subject: string;
  to: string[];
  text: string;
  html: string;
}

export async function sentEmails(cloud: LocalCloud): Promise<SentEmail[]> {
  const response = await fetch(cloud.urls.sesStore);
  const store = (await response.json()) as {
    emails?: { subject?: string; destination?: { to?: string[] }; body?: { text?: string; html?: string } }[];
  };
  return (store.emails ?? []).map((email) => ({
    subject: email.subject ?? '',
    to: email.destination?.to ?? [],
    text: email.body?.text ?? '',
    html: email.body?.html ?? '',
  }));
}

/** Waits for an email to `address` whose text matches `pattern`; returns the first match. */
export async function waitForEmail(cloud: LocalCloud, address: string, pattern: RegExp, timeoutMs = 15_000): Promise<{ email: SentEmail; match: RegExpMatchArray }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const email of await sentEmails(cloud)) {
      if (!email.to.some((to) => to.includes(address))) continue;
      const match = `${email.text}\n${email.html}`.match(pattern);
      if (match) return { email, match };
    }
    if (Date.now() > deadline) throw new Error(`no email to ${address} matching ${pattern} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const TEST_CARDS = { ok: '4242 4242 4242 4242', declined: '4000 0000 0000 0002' } as const;

/** Fills the local Stripe hosted page as a customer would and submits it. */
export async function payOnStripePage(page: Page, email: string, card: string): Promise<void> {
  const form = page.locator('form[method="post"]').first();
  await form.waitFor();
  const emailInput = form.locator('input[name="email"]');
  // The Payment Link may lock the prefilled email; a customer could not change it either.
  if ((await emailInput.getAttribute('readonly')) === null) await emailInput.fill(email);
  await form.locator('input[name="card_number"]').fill(card);
  await form.locator('button[type="submit"]').click();
}

/** Waits for Stripe's redirect back to our order page; on failure, says where the page got stuck. */
export async function waitForReturnFromStripe(page: Page, timeoutMs = 30_000): Promise<void> {
  try {
    await page.waitForURL(/\/order\.html\?id=.*&paid=1/, { timeout: timeoutMs });
  } catch (error) {
    const text = await page.locator('body').innerText().catch(() => '(no body)');
    throw new Error(`no redirect back from Stripe within ${timeoutMs} ms; at ${page.url()}: ${text.slice(0, 500)}`, { cause: error });
  }
}
