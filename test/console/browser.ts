/**
 * A real browser for the console's end-to-end tests: playwright-core (which downloads nothing)
 * driving Debian's Chromium. Missing Chromium is a failure, not a skip: `.ci/run` installs it.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { devKey } from '../helpers/service.js';

export const CHROMIUM = '/usr/bin/chromium';

/** `locale` and `timezoneId` are the browser's (its language, as the console reads it first, and its clock's zone). */
export async function launchBrowser(options: { locale?: string; timezoneId?: string } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it)`);
  // A fresh profile per run, in a temporary directory.
  const userDataDir = mkdtempSync(join(tmpdir(), 'sectoken-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
    locale: options.locale ?? 'en-GB',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    acceptDownloads: true,
  });
}

const AXE_SOURCE = readFileSync(join(PACKAGE_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe-core run in the page (injected through the DevTools protocol: the page's CSP allows no inline script); serious and critical only. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded !== 'object') await page.evaluate(`${AXE_SOURCE};0`);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) })))`);
}

/** Everything the page keeps in sessionStorage and localStorage, as one string. */
export const pageStorage = (page: Page): Promise<string> =>
  page.evaluate(
    'JSON.stringify({ session: Object.fromEntries(Object.entries(sessionStorage)), local: Object.fromEntries(Object.entries(localStorage)) })',
  );

/** A call to the running server's API with a development client's key, as a setup step beside the browser. */
export async function callApi(
  url: string,
  client: string,
  method: string,
  path: string,
  body?: object,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${devKey(client)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}
