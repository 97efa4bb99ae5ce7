/**
 * The console as the people who use it see it, in Debian's Chromium against the real server: a
 * browser set to American English in Paris's time zone. A regulator's form clears the case and
 * purpose once sent, and its notice goes when the request moves on or the form is edited; their
 * own requests have no Requester column; case ids stay whole in a narrow window. An auditor reading
 * in French sees acts, outcomes and chart series in French, refusals apart from outages, times with
 * their zone, days as jj/mm/aaaa, and a checkpoint hint that names the button instead of a place.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { BrowserContext, Page } from 'playwright-core';
import { GENESIS, recordLine, sealRecord, type AuditAct, type AuditOutcome } from '../../src/audit/chain/record.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { newKek, parseKek } from '../../src/keys/seal.js';
import { saveKeyring } from '../../src/keys/store.js';
import { startServer, stopServer } from '../helpers/cli.js';
import { devConfig, devKey } from '../helpers/service.js';
import { callApi, launchBrowser, seriousViolations } from './browser.js';

const STEP_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'sectoken-everyday-'));
const auditDir = join(dir, 'audit');
let server: { url: string; child: ChildProcess } | undefined;
let browser: BrowserContext | undefined;
const consoleErrors: string[] = [];

/** Records of another instance a few minutes ago: a refusal, an outage of the dual-control store, an act done. */
function peerChain(macKey: Uint8Array): string {
  const events: [AuditAct, AuditOutcome][] = [
    ['reverse', 'forbidden'],
    ['reverse-request', 'dual_control_unavailable'],
    ['reverse', 'ok'],
  ];
  let prev = GENESIS;
  let text = '';
  const start = Date.now() - 10 * 60_000;
  events.forEach(([act, outcome], i) => {
    const record = sealRecord(
      macKey,
      {
        act,
        client: 'regulator-cndp',
        person: 'Amina Benali (investigator)',
        organisation: 'CNDP',
        sector: 'tax',
        legalBasis: 'LOI-09-08-ART-4',
        caseId: `PEER-${i + 1}`,
        purpose: 'p',
        outcome,
      },
      { instance: 'peer', seq: i + 1, time: new Date(start + i * 1000).toISOString(), prev },
    );
    prev = record.hash;
    text += recordLine(record);
  });
  return text;
}

beforeAll(async () => {
  const kek = newKek();
  const keyring = generateKeyring(Object.keys(devConfig().sectors as object), false);
  saveKeyring(join(dir, 'keyring.json'), keyring, parseKek(kek, 'test KEK'));
  mkdirSync(auditDir);
  writeFileSync(join(auditDir, 'audit-peer.jsonl'), peerChain(keyring.auditMac));
  server = await startServer({
    SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    SECTOKEN_KEK: kek,
    SECTOKEN_AUDIT_DIR: auditDir,
    SECTOKEN_INSTANCE_ID: 'everyday',
  });
  browser = await launchBrowser({ locale: 'en-US', timezoneId: 'Europe/Paris' });
}, STEP_MS);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server.child);
});

const api = (client: string, method: string, path: string, body?: object) =>
  callApi(server!.url, client, method, path, body);

async function signIn(client: string): Promise<Page> {
  const page = await browser!.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(`${server!.url}/console/`);
  // The language chosen is kept for the next visit: each test starts in English.
  await page.locator('#lang').selectOption('en');
  await page.getByLabel('Your API key').fill(devKey(client));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
  return page;
}

/** Fills the new-request form for a reversal under the dual-control basis and sends it. */
async function ask(page: Page, caseId: string): Promise<void> {
  const token = (await api('hospital-backend', 'POST', '/v1/tokens', { sector: 'health', nationalId: 'EV100200' })).body
    .token as string;
  await page.locator('#new-sector').selectOption('health');
  await page.locator('#new-basis').selectOption('CNDP-D-97-2020');
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByLabel('Case reference').fill(caseId);
  await page.getByLabel('Purpose').fill(`Complaint about ${caseId}`);
  await page.getByRole('button', { name: 'Submit' }).click();
}

/** How many lines the text of the first element matching `selector` takes. */
const linesOf = (page: Page, selector: string): Promise<number> =>
  page.evaluate(`(() => {
    const range = document.createRange();
    range.selectNodeContents(document.querySelector(${JSON.stringify(selector)}));
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  })()`);

it(
  'once sent, the form is cleared of case and purpose; the notice goes when the request is approved, or when the form is edited; "My requests" has no Requester column; case ids stay whole',
  async () => {
    const page = await signIn('regulator-cndp');
    await ask(page, 'CNDP-2026-0101');
    const notice = page.getByText('Request sent for case CNDP-2026-0101');
    await notice.waitFor();
    for (const field of ['Case reference', 'Purpose']) expect(await page.getByLabel(field).inputValue()).toBe('');
    expect(await page.getByLabel('Token', { exact: true }).inputValue()).toBe('');

    const row = page.locator('#mine tr[data-request]').first();
    await row.waitFor();
    const headers = await page.locator('#mine thead th').allTextContents();
    expect(headers).toContain('Case');
    expect(headers).not.toContain('Requester');
    expect(await row.textContent()).not.toContain('Amina Benali');

    await page.setViewportSize({ width: 380, height: 800 });
    expect(await linesOf(page, '#mine tbody .case-id')).toBe(1);
    await page.setViewportSize({ width: 1280, height: 800 });

    // A second person approves it: on the next refresh the request has moved on, and so has the notice.
    const requestId = (await row.getAttribute('data-request'))!;
    expect((await api('regulator-health', 'POST', `/v1/requests/${requestId}/approve`, {})).status).toBe(200);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row.getByText('approved — ready to collect').waitFor();
    await notice.waitFor({ state: 'detached' });

    await ask(page, 'CNDP-2026-0102');
    const second = page.getByText('Request sent for case CNDP-2026-0102');
    await second.waitFor();
    await page.getByLabel('Case reference').fill('CNDP-2026-0103');
    await second.waitFor({ state: 'detached' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  },
  STEP_MS,
);

it(
  'in French, an auditor reads acts, outcomes and chart series in French, outages apart from refusals, times with their zone and days as jj/mm/aaaa',
  async () => {
    const page = await signIn('auditor');
    // The English hint names the button rather than a place on the page.
    const lastCheckpoint = page.getByTestId('verification').locator('dd', { hasText: 'none yet' });
    expect(await lastCheckpoint.textContent()).toContain('“Download a signed checkpoint”');
    expect(await lastCheckpoint.textContent()).not.toMatch(/below|above/);

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Rechercher des enregistrements' }).waitFor();
    const hint = await page.getByTestId('verification').locator('dd', { hasText: 'aucun pour' }).textContent();
    expect(hint).toContain('« Télécharger un point de contrôle signé »');
    expect(hint).not.toContain('ci-dessous');
    expect(await page.getByRole('button', { name: 'Télécharger un point de contrôle signé' }).count()).toBe(1);

    // Records, newest first, in French; the codes stay out of the text.
    const records = page.getByTestId('records');
    await records.waitFor();
    const peer = (caseId: string, column: number) =>
      records.locator('tbody tr', { hasText: caseId }).locator('td').nth(column).textContent();
    expect(await peer('PEER-3', 1)).toBe('réidentification');
    expect(await peer('PEER-2', 1)).toBe('demande de réidentification');
    expect(await peer('PEER-2', 7)).toBe('double contrôle indisponible');
    expect(await peer('PEER-1', 7)).toBe('interdit');
    const text = (await records.textContent())!;
    for (const code of ['reverse-request', 'dual_control_unavailable', 'forbidden']) expect(text).not.toContain(code);
    // Times carry their zone (the browser's: Paris, UTC+1 or UTC+2).
    expect(await peer('PEER-3', 0)).toMatch(/\d\d:\d\d:\d\d UTC\+[12]$/);
    const actOptions = await page.locator('#q-act option').allTextContents();
    expect(actOptions).toContain('demande de réidentification');

    // The charts: the outage is a failure of the service, not a refusal; series named in French.
    const refusals = (await page.getByTestId('chart-refusals').locator('tbody').textContent())!;
    expect(refusals).toContain('interdit');
    expect(refusals).not.toContain('double contrôle');
    expect(await page.getByTestId('chart-refusals').locator('figcaption').textContent()).toContain(
      'les défaillances du service sont comptées à part',
    );
    expect(await page.getByTestId('chart-failures').locator('tbody').textContent()).toContain(
      'double contrôle indisponible',
    );

    // Days as jj/mm/aaaa, whatever the browser's locale (American here).
    const dmy = (t: number) => new Date(t).toISOString().slice(0, 10).split('-').reverse().join('/');
    expect(await page.locator('#c-from').inputValue()).toBe(dmy(Date.now() - 29 * 86_400_000));
    expect(await page.locator('#c-to').getAttribute('placeholder')).toBe('jj/mm/aaaa');
    await page.locator('#q-legalBasis').fill('LOI-09-08-ART-4');
    await page.locator('#q-from').fill('31/02/2026');
    await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await page.getByText('« 31/02/2026 » n’est pas une date : écrivez-la jj/mm/aaaa.').waitFor();
    await page.locator('#q-from').fill(dmy(Date.now() + 86_400_000));
    await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await page.getByText('Aucun enregistrement ne correspond.').waitFor();
    await page.locator('#q-from').fill(dmy(Date.now()));
    await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await page.getByTestId('records-count').getByText('sur 3').waitFor();

    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    expect(consoleErrors).toEqual([]);
  },
  STEP_MS,
);

it(
  'a search the auditor has since changed is aborted: its late answer never replaces the newer one',
  async () => {
    const page = await signIn('auditor');
    await page.getByTestId('records-count').waitFor();
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/v1\/audit\?.*caseId=PEER-1/, async (route) => {
      await held;
      await route.continue().catch(() => undefined); // the page may have given up on it: that is the point
    });
    const aborted = page.waitForEvent('requestfailed', (r) => r.url().includes('caseId=PEER-1'));
    await page.getByLabel('Case').fill('PEER-1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Case').fill('PEER-2');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('records-count').getByText('of 1,').waitFor();
    expect((await aborted).failure()?.errorText).toMatch(/ABORTED/);
    release();
    expect(await page.getByTestId('records').locator('tbody td.case-id').allTextContents()).toEqual(['PEER-2']);
    await page.close();
  },
  STEP_MS,
);
