/**
 * Real-browser helpers: Debian's chromium driven by playwright-core, a watch for CSP violations
 * and page errors, axe-core checks and screenshots at phone and desktop sizes.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './site';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
const skipReason = `${CHROMIUM_PATH} is missing (apt-get install chromium); browser tests skipped`;
if (!hasChromium) console.warn(`[e2e] ${skipReason}`);

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
export const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
] as const;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** What went wrong in the page that no assertion on its text would notice. */
export interface PageWatch {
  readonly cspViolations: string[];
  readonly pageErrors: string[];
  /** Every HTML page the site served (redirects excluded), with its CSP header (or undefined). */
  readonly documents: { url: string; csp: string | undefined }[];
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  watch: PageWatch;
}

export async function openPage(browser: Browser, siteUrl: string, options: { locale?: string } = {}): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: VIEWPORTS[1],
    locale: options.locale ?? 'en-US',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const watch: PageWatch = { cspViolations: [], pageErrors: [], documents: [] };
  page.on('console', (message) => {
    // Chromium reports every CSP block as a console error naming the policy.
    if (/Content Security Policy/i.test(message.text())) {
      // The message's own location is often empty for blocked inline code: name the page.
      watch.cspViolations.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => {
    if (page.url().startsWith(siteUrl)) watch.pageErrors.push(`${page.url()}: ${error.message}`);
  });
  page.on('response', (response) => {
    const isHtml = (response.headers()['content-type'] ?? '').includes('text/html');
    if (response.request().resourceType() === 'document' && response.status() === 200 && isHtml && response.url().startsWith(siteUrl)) {
      watch.documents.push({ url: response.url(), csp: response.headers()['content-security-policy'] });
    }
  });
  return { context, page, watch };
}

/** Screenshots of the current page at 360×740 and 1280×800 (full page), back to desktop after. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${viewport.width}x${viewport.height}.png`), fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS[1]);
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** axe-core on the current page, at both sizes; returns the serious and critical findings. */
export async function seriousA11yViolations(page: Page): Promise<AxeFinding[]> {
  const findings: AxeFinding[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    const results = await new AxeBuilder({ page }).analyze();
    for (const violation of results.violations) {
      if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
      findings.push({
        id: `${violation.id}@${viewport.width}`,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(' ')),
      });
    }
  }
  await page.setViewportSize(VIEWPORTS[1]);
  return findings;
}

/** The policy the gateway (and CloudFront) must send: no inline script or style anywhere. */
export function assertStrictCsp(watch: PageWatch): string[] {
  const problems: string[] = [];
  for (const document of watch.documents) {
    const csp = document.csp;
    if (!csp) {
      problems.push(`${document.url}: no Content-Security-Policy header`);
      continue;
    }
    for (const needed of ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) {
      if (!csp.includes(needed)) problems.push(`${document.url}: CSP lacks ${needed}`);
    }
    if (/unsafe-inline|unsafe-eval/.test(csp)) problems.push(`${document.url}: CSP allows unsafe-inline/eval`);
  }
  return problems;
}
