/**
 * The auditors' reads run on a thread of their own (src/audit/reader/auditReader.ts): while a long chain
 * is verified, tokens go on being served; a read cut off by close() fails, and the next one works.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditReader } from '../../src/audit/reader/auditReader.js';
import { GENESIS, recordLine, sealRecord, type AuditEntry, type AuditRecord } from '../../src/audit/chain/record.js';
import { PACKAGE_ROOT } from '../../src/config/env.js';
import { SectokenError } from '../../src/errors.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { bearer, listening, startTestService, type TestService } from '../helpers/service.js';

const RECORDS = 30_000;
let service: TestService;
let closeServer: () => Promise<void>;
let url: string;
let macKey: Uint8Array;
/** A stats job over the test directory, as the service asks it (its own file read whole here: nothing is being written). */
const statsJob = () => ({
  kind: 'stats' as const,
  dir: service.settings.auditDir,
  own: { name: 'audit-test-instance.jsonl', bytes: Number.MAX_SAFE_INTEGER },
  macKey,
  range: {},
});

beforeAll(async () => {
  service = startTestService();
  // Another instance's chain in the same directory, sealed under this keyring: verified record by record, MACs included.
  macKey = openKeyringFile(
    service.settings.keyringPath,
    new Uint8Array(Buffer.from(service.settings.kek!, 'hex')),
  ).auditMac;
  const entry: AuditEntry = {
    act: 'reverse',
    client: 'regulator-cndp',
    person: 'Amina Benali',
    organisation: 'CNDP',
    sector: 'tax',
    token: '1ABC',
    legalBasis: 'LOI-09-08-ART-4',
    caseId: 'C-1',
    purpose: 'p',
    outcome: 'ok',
  };
  const lines: string[] = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= RECORDS; seq++) {
    const record: AuditRecord = sealRecord(macKey, entry, {
      instance: 'peer',
      seq,
      time: new Date(Date.UTC(2026, 10, 1) + seq * 1000).toISOString(),
      prev,
    });
    prev = record.hash;
    lines.push(recordLine(record));
  }
  writeFileSync(join(service.settings.auditDir, 'audit-peer.jsonl'), lines.join(''));
  ({ url, close: closeServer } = await listening(service.app));
}, 60_000);

afterAll(async () => {
  await closeServer();
  await service.close();
  rmSync(service.dir, { recursive: true, force: true });
});

describe('the audit reader thread', () => {
  it('verifies a long chain while tokens go on being served: every token request is answered before the verification', async () => {
    let verified = false;
    const verification = fetch(`${url}/v1/audit/verify`, { headers: { authorization: bearer('auditor') } }).then(
      async (res) => {
        verified = true;
        return {
          status: res.status,
          body: (await res.json()) as { files: { name: string; records: number; firstBad?: unknown }[] },
        };
      },
    );
    const answeredBefore: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${url}/v1/tokens`, {
        method: 'POST',
        headers: { authorization: bearer('tax-backend'), 'content-type': 'application/json' },
        body: JSON.stringify({ sector: 'tax', nationalId: `AB${100000 + i}` }),
      });
      expect(res.status).toBe(200);
      answeredBefore.push(!verified);
    }
    const { status, body } = await verification;
    expect(status).toBe(200);
    expect(body.files.find((f) => f.name === 'audit-peer.jsonl')).toMatchObject({ records: RECORDS });
    expect(body.files.find((f) => f.name === 'audit-peer.jsonl')?.firstBad).toBeUndefined();
    expect(answeredBefore).toEqual(Array.from({ length: 10 }, () => true));
  }, 60_000);

  it('fails a read cut off by close(), and starts again for the next one', async () => {
    const reader = auditReader(PACKAGE_ROOT);
    const cut = reader.run(statsJob());
    await reader.close();
    await expect(cut).rejects.toThrow(/the audit reader stopped: closed/);
    const again = await reader.run(statsJob());
    expect(again.records).toBeGreaterThanOrEqual(RECORDS);
    await reader.close();
  });

  it('answers each of several reads under way with its own result: a refusal keeps its code, another failure is a plain error', async () => {
    const reader = auditReader(PACKAGE_ROOT);
    try {
      const [stats, missing, broken] = await Promise.allSettled([
        reader.run(statsJob()),
        reader.run({ kind: 'peerHead', dir: service.settings.auditDir, instance: 'nobody', macKey }),
        // Not a key: the walk's MAC check throws a TypeError in the thread.
        reader.run({ ...statsJob(), macKey: 5 as unknown as Uint8Array }),
      ]);
      expect(stats.status === 'fulfilled' && stats.value.records).toBeGreaterThanOrEqual(RECORDS);
      expect(missing.status === 'rejected' && missing.reason).toBeInstanceOf(SectokenError);
      expect(missing.status === 'rejected' && (missing.reason as SectokenError)).toMatchObject({
        code: 'not_found',
        message: 'no audit chain of that instance in this audit directory',
      });
      expect(broken.status === 'rejected' && (broken.reason as Error)).toBeInstanceOf(Error);
      expect(broken.status === 'rejected' && broken.reason).not.toBeInstanceOf(SectokenError);
      expect(broken.status === 'rejected' && (broken.reason as Error).message).toMatch(/macKey|key|argument/i);
    } finally {
      await reader.close();
    }
  });

  it('closes at once when no read was ever made', async () => {
    await expect(auditReader(PACKAGE_ROOT).close()).resolves.toBeUndefined();
  });

  it('never keeps a process alive: one that used the reader and never closed it exits by itself', () => {
    const script = `const { auditReader } = await import(${JSON.stringify(join(PACKAGE_ROOT, 'dist', 'audit', 'reader', 'auditReader.js'))});
      const job = ${JSON.stringify({ ...statsJob(), macKey: [...macKey] })};
      const stats = await auditReader(${JSON.stringify(PACKAGE_ROOT)}).run({ ...job, macKey: new Uint8Array(job.macKey) });
      console.log(stats.records);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(Number(out.trim())).toBeGreaterThanOrEqual(RECORDS);
  });
});
