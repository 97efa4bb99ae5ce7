/**
 * The console's checkpoint panel when the audit directory holds several chains (workers, or
 * instances sharing a directory): the auditor chooses whose head to sign, and the download is a
 * checkpoint of that chain, at its head on disk. In Debian's Chromium against real servers: one
 * instance ("east") records an act and stops, another ("west") serves the console.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { BrowserContext } from 'playwright-core';
import { startServer, stopServer } from '../helpers/cli.js';
import { devKey } from '../helpers/service.js';
import { launchBrowser, seriousViolations } from './browser.js';
import { devKeyring } from '../helpers/devKeyring.js';

const STEP_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'sectoken-chains-'));
const auditDir = join(dir, 'audit');
const keyringPath = devKeyring(join(dir, 'dev-keyring.json'));
const env = (instance: string) => ({
  SECTOKEN_KEYRING: keyringPath,
  SECTOKEN_AUDIT_DIR: auditDir,
  SECTOKEN_INSTANCE_ID: instance,
});

let west: { url: string; child: ChildProcess } | undefined;
let browser: BrowserContext | undefined;

async function post(url: string, client: string, path: string, body: object): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${devKey(client)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  const east = await startServer(env('east'));
  try {
    const token = (await post(east.url, 'tax-backend', '/v1/tokens', { sector: 'tax', nationalId: 'CD654321' })).body
      .token as string;
    const reversed = await post(east.url, 'regulator-cndp', '/v1/reverse', {
      sector: 'tax',
      token,
      legalBasis: 'LOI-09-08-ART-4',
      caseId: 'EAST-1',
      purpose: 'a record on the east chain',
    });
    expect(reversed.status).toBe(200);
  } finally {
    await stopServer(east.child);
  }
  west = await startServer(env('west'));
  browser = await launchBrowser();
}, STEP_MS);

afterAll(async () => {
  await browser?.close();
  if (west) await stopServer(west.child);
});

it(
  "lets the auditor choose another instance's chain, and the checkpoint is of that chain's head",
  async () => {
    const page = await browser!.newPage();
    await page.goto(`${west!.url}/console/`);
    await page.getByLabel('Your API key').fill(devKey('auditor'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-testid=chain-status][data-ok=true]').waitFor();

    const chooser = page.getByLabel('Chain of instance');
    expect(await chooser.locator('option').allTextContents()).toEqual(['west', 'east']);
    expect(await chooser.inputValue()).toBe('west');
    await chooser.selectOption('east');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download a signed checkpoint' }).click(),
    ]);
    const checkpoint = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
      instance: string;
      size: number;
      headHash: string;
    };

    const eastRecords = readFileSync(join(auditDir, 'audit-east.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { hash: string; caseId: string | null });
    expect(eastRecords.some((r) => r.caseId === 'EAST-1')).toBe(true);
    expect(checkpoint).toMatchObject({
      instance: 'east',
      size: eastRecords.length,
      headHash: eastRecords.at(-1)!.hash,
    });
    expect(await page.getByTestId('checkpoint').textContent()).toContain('east');
    expect(await seriousViolations(page)).toEqual([]);
  },
  STEP_MS,
);
