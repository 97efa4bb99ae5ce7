/**
 * The auditor's search and charts show only records that verify, in Debian's Chromium against the
 * real server: a foreign file of forged denials in the audit directory is left out of both and
 * named above them, with the line from which it was left out; a valid chain of another instance is
 * read and paged by the service's cursor, every record once.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { BrowserContext } from 'playwright-core';
import { GENESIS, recordLine, sealRecord, type AuditAct, type AuditOutcome } from '../../src/audit/chain/record.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { newKek, parseKek } from '../../src/keys/seal.js';
import { saveKeyring } from '../../src/keys/store.js';
import { startServer, stopServer } from '../helpers/cli.js';
import { devConfig, devKey } from '../helpers/service.js';
import { launchBrowser, seriousViolations } from './browser.js';

const STEP_MS = 60_000;
const PEER_RECORDS = 24;
const dir = mkdtempSync(join(tmpdir(), 'sectoken-unverified-'));
const auditDir = join(dir, 'audit');

let server: { url: string; child: ChildProcess } | undefined;
let browser: BrowserContext | undefined;

/** n records of `instance` in the last minutes, sealed under `macKey`. */
function chainText(macKey: Uint8Array, instance: string, n: number, act: AuditAct, outcome: AuditOutcome): string {
  let prev = GENESIS;
  let text = '';
  const start = Date.now() - 10 * 60_000;
  for (let seq = 1; seq <= n; seq++) {
    const record = sealRecord(
      macKey,
      {
        act,
        client: 'regulator-cndp',
        person: 'Amina Benali (investigator)',
        organisation: 'CNDP',
        sector: 'tax',
        legalBasis: 'LOI-09-08-ART-4',
        caseId: `${instance.toUpperCase()}-${seq}`,
        purpose: 'p',
        outcome,
      },
      { instance, seq, time: new Date(start + seq * 1000).toISOString(), prev },
    );
    prev = record.hash;
    text += recordLine(record);
  }
  return text;
}

beforeAll(async () => {
  const kek = newKek();
  const keyring = generateKeyring(Object.keys(devConfig().sectors as object), false);
  saveKeyring(join(dir, 'keyring.json'), keyring, parseKek(kek, 'test KEK'));
  mkdirSync(auditDir);
  writeFileSync(join(auditDir, 'audit-peer.jsonl'), chainText(keyring.auditMac, 'peer', PEER_RECORDS, 'reverse', 'ok'));
  // Forged: hashed and chained like the service's, under a MAC key that is not the service's.
  writeFileSync(join(auditDir, 'audit-evil.jsonl'), chainText(randomBytes(32), 'evil', 3, 'deny', 'ok'));
  server = await startServer({
    SECTOKEN_KEYRING: join(dir, 'keyring.json'),
    SECTOKEN_KEK: kek,
    SECTOKEN_AUDIT_DIR: auditDir,
    SECTOKEN_INSTANCE_ID: 'console',
  });
  browser = await launchBrowser();
}, STEP_MS);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server.child);
});

it(
  'leaves the forged denials out of the search and the charts, names their file, and pages the verified records by cursor, newest first',
  async () => {
    const page = await browser!.newPage();
    await page.goto(`${server!.url}/console/`);
    await page.getByLabel('Your API key').fill(devKey('auditor'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-testid=chain-status][data-ok=false]').waitFor();

    const named = 'audit-evil.jsonl: from line 1 on — MAC invalid (forged or modified record)';
    for (const where of ['records-chains', 'charts-chains']) {
      const chains = page.locator(`[data-testid=${where}][data-verified=false]`);
      await chains.waitFor();
      expect(await chains.textContent()).toContain(named);
      expect(await chains.getAttribute('role')).toBe('alert');
    }
    expect(await page.getByTestId('chart-ended').locator('tbody').textContent()).not.toContain('denied');

    const caseIds = async (): Promise<string[]> =>
      page.getByTestId('records').locator('tbody tr td:nth-child(7)').allTextContents();
    await page.getByTestId('records-count').getByText(`Records 1–20 of ${PEER_RECORDS}`).waitFor();
    const first = await caseIds();
    expect(await page.getByTestId('records').textContent()).not.toContain('deny');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByTestId('records-count').getByText(`Records 21–${PEER_RECORDS} of ${PEER_RECORDS}`).waitFor();
    const second = await caseIds();
    // Newest first: the auditor lands on the latest records and pages back in time.
    expect([...first, ...second]).toEqual(Array.from({ length: PEER_RECORDS }, (_, i) => `PEER-${PEER_RECORDS - i}`));
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByTestId('records-count').getByText(`Records 1–20 of ${PEER_RECORDS}`).waitFor();
    expect(await caseIds()).toEqual(first);

    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  },
  STEP_MS,
);
