/**
 * The approver's view in Chromium against the real server (`node dist/cli.js serve`): a second
 * regulator opens a request awaiting their decision and sees its token (canonical, to check
 * against the case file), never the national ID; after approving, the request appears under
 * "Decided by me". No request leaves the service's origin, no console error, no serious or
 * critical axe violation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer, stopServer } from '../helpers/cli.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { devKey } from '../helpers/service.js';
import { callApi, launchBrowser, seriousViolations } from './browser.js';

const NATIONAL_ID = 'KM314159';
const CASE = 'CNDP-2026-0777';
const STEP_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'sectoken-approver-'));
let server: { url: string; child: ChildProcess };
let browser: BrowserContext;
const requested: string[] = [];
const consoleErrors: string[] = [];

const api = (client: string, method: string, path: string, body?: object) =>
  callApi(server.url, client, method, path, body);

beforeAll(async () => {
  server = await startServer({
    SECTOKEN_KEYRING: devKeyring(join(dir, 'keys', 'dev-keyring.json')),
    SECTOKEN_AUDIT_DIR: join(dir, 'audit'),
    SECTOKEN_INSTANCE_ID: 'approver',
  });
  browser = await launchBrowser();
  browser.on('request', (r) => requested.push(r.url()));
}, STEP_MS);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server.child);
});

it(
  'an approver sees the token of the request, approves it, and finds it under "Decided by me"; the national ID is never on the page',
  async () => {
    const token = (await api('hospital-backend', 'POST', '/v1/tokens', { sector: 'health', nationalId: NATIONAL_ID }))
      .body.token as string;
    const asked = await api('regulator-cndp', 'POST', '/v1/reverse', {
      sector: 'health',
      token,
      legalBasis: 'CNDP-D-97-2020',
      caseId: CASE,
      purpose: 'Complaint 777: a clinic shares files',
    });
    expect(asked.status).toBe(202);
    const requestId = asked.body.requestId as string;

    const page: Page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Your API key').fill(devKey('regulator-health'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();

    // Nothing decided yet.
    const decidedPanel = page.locator('section[aria-labelledby="decided-title"]');
    await decidedPanel.getByText('You have decided no recent request.').waitFor();

    const row = page.locator(`#queue tr[data-request="${requestId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: `Details: ${CASE}` }).click();
    const detail = page.getByTestId('detail');
    await detail.waitFor();
    expect(await detail.getByTestId('request-token').textContent()).toBe(token);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // The confirmation repeats the token the decision is about.
    expect(await dialog.getByTestId('request-token').textContent()).toBe(token);
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`Request of case ${CASE} approved.`).waitFor();

    const decidedRow = page.locator(`#decided tr[data-request="${requestId}"]`);
    await decidedRow.waitFor();
    expect(await decidedRow.textContent()).toContain('approved');
    expect(await page.locator(`#queue tr[data-request="${requestId}"]`).count()).toBe(0);
    await decidedRow.getByRole('button', { name: `Details: ${CASE}` }).click();
    await detail.waitFor();
    expect(await detail.getByTestId('request-token').textContent()).toBe(token);
    expect(await detail.textContent()).toContain('Youssef Alaoui (inspector)');
    expect(await seriousViolations(page)).toEqual([]);

    expect(await page.content()).not.toContain(NATIONAL_ID);
    await page.close();

    const origin = new URL(server.url).origin;
    expect(requested.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  },
  STEP_MS,
);
