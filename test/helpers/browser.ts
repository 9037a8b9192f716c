// A real headless browser for the HTML report's tests: Debian's chromium driven by playwright-core (no
// browser download). Tests skip, saying how to install one, where /usr/bin/chromium is missing
// (override with LOADHTTP_CHROMIUM=/path/to/chromium).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.LOADHTTP_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `no browser at ${CHROMIUM}: the HTML report was not checked in a browser. Install one with \`apt-get install -y chromium\` (Debian/Ubuntu) or set LOADHTTP_CHROMIUM`;
}

/** Screenshots and pages of the browser tests (ignored by git). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface LoadedPage {
  /** Console errors and uncaught exceptions of the page. */
  errors: string[];
  /** Every URL the page requested (the page itself included). */
  requests: string[];
  /** window.loadhttpCharts: what the page script drew. */
  charts: Array<{ id: string; kind: string; points: number; series: number; labels: string[]; data: Array<Array<number | null>> }>;
  /** Runs a function in the page and returns its (JSON) result. */
  evaluate<T>(fn: () => T): Promise<T>;
}

/** Opens `file` in headless chromium, waits for the charts, saves a full-page screenshot as `shot`.png. */
export async function withPage<T>(file: string, shot: string, use: (page: LoadedPage) => Promise<T>): Promise<T> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(tmpdir(), 'loadhttp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    await page.waitForFunction(() => Array.isArray((globalThis as unknown as { loadhttpCharts?: unknown[] }).loadhttpCharts), null, { timeout: 10_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, `${shot}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`# screenshot: ${screenshot}`);
    const charts = await page.evaluate(() => (globalThis as unknown as { loadhttpCharts: LoadedPage['charts'] }).loadhttpCharts);
    return await use({ errors, requests, charts, evaluate: (fn) => page.evaluate(fn) as never });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
