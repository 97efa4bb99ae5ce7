/**
 * GET /v1/audit/stats on a 100,000-record log (goal: an answer in under a second). The log is
 * made here — sealed, chained records of one instance over 90 days, a mix of acts, clients, bases
 * and outcomes — then a real `sectoken serve` (dist/) of another instance answers from the same
 * directory, verifying every record (MACs included) before counting it; the pure aggregate is also
 * timed in process, with and without reading and verifying the files. The log is sealed under the
 * keyring the server is given, so that every record verifies.
 *
 *   npm run build && npx tsc -p tsconfig.bench.json && node .bench-dist/bench/auditStats.js   (this case alone)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditFiles, verifiedRecords } from '../src/audit/reader/read.js';
import { GENESIS, recordLine, sealRecord, type AuditAct, type AuditOutcome } from '../src/audit/chain/record.js';
import { auditStats } from '../src/audit/reader/stats.js';
import { PACKAGE_ROOT } from '../src/config/env.js';
import { generateKeyring } from '../src/keys/keyring.js';
import { saveKeyring } from '../src/keys/store.js';
import { freePort, median, waitHealthy } from './common.js';

export interface StatsBenchResult {
  records: number;
  fileMiB: number;
  httpMs: { median: number; max: number; repeats: number[] };
  inProcessMs: { readAndCount: number; countOnly: number };
}

/** A log of `count` records: what a year of a busy authority's acts and refusals could look like. */
function makeLog(dir: string, count: number, macKey: Uint8Array): number {
  const clients = ['regulator-cndp', 'regulator-health', 'regulator-tax', 'regulator-finance', 'regulator-social'];
  const bases = ['CNDP-D-97-2020', 'LOI-09-08-ART-4', 'CSS-FRAUD-2026'];
  const start = Date.parse('2026-01-01T00:00:00Z');
  const step = (90 * 86_400_000) / count;
  let prev = GENESIS;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % 20;
    const [act, outcome]: [AuditAct, AuditOutcome] =
      k < 8
        ? ['reverse', 'ok']
        : k < 11
          ? ['reverse-request', 'pending']
          : k < 13
            ? ['translate', 'ok']
            : k === 13
              ? ['approve', 'ok']
              : k === 14
                ? ['release', 'ok']
                : k === 15
                  ? ['deny', 'ok']
                  : k === 16
                    ? ['expire', 'expired']
                    : k === 17
                      ? ['reverse', 'forbidden']
                      : k === 18
                        ? ['reverse', 'rate_limited']
                        : ['translate', 'legal_basis_required'];
    const record = sealRecord(
      macKey,
      {
        act,
        client: clients[i % clients.length]!,
        person: 'Bench Person',
        organisation: 'Bench Org',
        sector: 'tax',
        toSector: act.startsWith('translate') ? 'social' : null,
        legalBasis: bases[i % bases.length]!,
        caseId: `BENCH-${i % 997}`,
        purpose: 'benchmark',
        outcome,
      },
      { instance: 'bench-log', seq: i + 1, time: new Date(start + i * step).toISOString(), prev },
    );
    prev = record.hash;
    lines.push(recordLine(record));
  }
  const text = lines.join('');
  writeFileSync(join(dir, 'audit-bench-log.jsonl'), text);
  return Buffer.byteLength(text) / 2 ** 20;
}

export async function auditStatsBench(root: string, repeats: number, count = 100_000): Promise<StatsBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-bench-stats-'));
  const auditDir = join(dir, 'audit');
  mkdirSync(auditDir);
  const keyringPath = join(dir, 'keyring.json');
  const kek = randomBytes(32);
  const sectors = Object.keys(
    (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'config', 'sectoken.dev.json'), 'utf8')) as { sectors: object })
      .sectors,
  );
  const keyring = generateKeyring(sectors, false);
  saveKeyring(keyringPath, keyring, kek);
  const fileMiB = makeLog(auditDir, count, keyring.auditMac);

  const inProcess = { readAndCount: [] as number[], countOnly: [] as number[] };
  const read = () => verifiedRecords(auditFiles(auditDir), keyring.auditMac, []);
  const records = [...read()];
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    auditStats(read());
    inProcess.readAndCount.push(performance.now() - t);
    t = performance.now();
    auditStats(records);
    inProcess.countOnly.push(performance.now() - t);
  }

  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SECTOKEN_KEYRING: keyringPath,
    SECTOKEN_KEK: kek.toString('hex'),
    SECTOKEN_AUDIT_DIR: auditDir,
    SECTOKEN_INSTANCE_ID: 'bench-stats',
  };
  const child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'serve'], { env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, 300);
    const ask = async (): Promise<number> => {
      const t = performance.now();
      const res = await fetch(`${url}/v1/audit/stats?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z`, {
        headers: { authorization: 'Bearer stk_dev_auditor' },
      });
      const body = (await res.json()) as { records: number };
      if (res.status !== 200 || body.records !== count)
        throw new Error(`bench: stats answered ${res.status} with ${body.records} records`);
      return performance.now() - t;
    };
    await ask(); // warm-up
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) times.push(await ask());
    return {
      records: count,
      fileMiB: Number(fileMiB.toFixed(1)),
      httpMs: {
        median: Math.round(median(times)),
        max: Math.round(Math.max(...times)),
        repeats: times.map(Math.round),
      },
      inProcessMs: {
        readAndCount: Math.round(median(inProcess.readAndCount)),
        countOnly: Math.round(median(inProcess.countOnly)),
      },
    };
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: node .bench-dist/bench/auditStats.js
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const result = await auditStatsBench(root, Math.max(5, Number(process.env.BENCH_REPEATS ?? 7)));
  console.log(JSON.stringify(result, null, 2));
}
