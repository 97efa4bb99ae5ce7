/**
 * `sectoken bulk` against a real server process: a 100k-row register, in order, per-row errors in
 * place, equal to tokenizing one by one; refusal to overwrite; resume after a kill (counts go on)
 * and after Ctrl-C (which says how); runs refused at once leave no file; 429 backoff.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rateAndEta } from '../../src/cli/bulk/progress.js';
import { parseConfig } from '../../src/config/schema.js';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { unrankNationalId, NATIONAL_ID_COUNT } from '../../src/derivation/nationalId.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { CLI, runCli, startServer, stopServer } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { withoutProgress } from '../helpers/bulk.js';

const dir = mkdtempSync(join(tmpdir(), 'sectoken-bulk-'));
const ROWS = 100_000;
const input = join(dir, 'register.csv');
// A register with a header, a record key per row, and every 997th national ID invalid.
const lines = ['recordId,nationalId,name'];
for (let i = 0; i < ROWS; i++) {
  const id = i % 997 === 5 ? 'NOT-AN-ID' : unrankNationalId((i * 7_919_993) % NATIONAL_ID_COUNT);
  lines.push(`R${i},${id},person ${i}`);
}
writeFileSync(input, lines.join('\n') + '\n');

const keyringPath = devKeyring(join(dir, 'dev-keyring.json'));
function serverEnv(config: object): Record<string, string> {
  const configPath = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  return { SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: keyringPath, SECTOKEN_AUDIT_DIR: join(dir, 'audit') };
}
const bulkArgs = (url: string, out: string, extra: string[] = []): string[] => [
  'bulk',
  '--url',
  url,
  '--sector',
  'health',
  '--in',
  input,
  '--out',
  out,
  '--column',
  '2',
  '--header',
  ...extra,
];
const env = { SECTOKEN_API_KEY: 'stk_dev_hospital-backend' };

describe('sectoken bulk', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer(serverEnv({ ...devConfig(), rateLimits: { defaults: {}, clients: {} } }));
  });
  afterAll(async () => stopServer(server.child));

  it('tokenizes a 100k-row register in input order, with per-row errors in place, equal to tokenizing one by one', () => {
    const out = join(dir, 'tokens.csv');
    const r = runCli(bulkArgs(server.url, out), env);
    // 2: done, but some rows have no token (the invalid IDs).
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bulk: done, 100000 rows \(99899 tokens, 101 row errors/);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows[0]).toBe('recordId,nationalId,name,token,error');

    const kek = parseKek(readFileSync(join(dir, 'dev.kek'), 'utf8'), 'dev.kek');
    const tokenizer = createTokenizer(
      parseConfig(devConfig(), 'sample'),
      openKeyringFile(join(dir, 'dev-keyring.json'), kek),
    );
    for (let i = 0; i < ROWS; i++) {
      const source = lines[i + 1]!;
      const row = rows[i + 1]!;
      expect(row.startsWith(`${source},`)).toBe(true);
      const [token, error] = row.slice(source.length + 1).split(',');
      if (i % 997 === 5) {
        expect([token, error]).toEqual(['', 'invalid_national_id']);
      } else if (i % 101 === 0) {
        expect(token).toBe(tokenizer.tokenize('health', source.split(',')[1]!).token);
        expect(error).toBe('');
      } else {
        expect(token).toMatch(/^[0-9]{12}$/);
      }
    }
  }, 120_000);

  it('refuses to overwrite an existing output', () => {
    const out = join(dir, 'exists.csv');
    writeFileSync(out, 'precious\n');
    const r = runCli(bulkArgs(server.url, out), env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists: refusing to overwrite/);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
  });

  it('refuses to run without SECTOKEN_API_KEY', () => {
    const r = runCli(bulkArgs(server.url, join(dir, 'nokey.csv')), {});
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SECTOKEN_API_KEY is not set/);
  });

  it('when killed mid-run, then --resume completes the same output as an uninterrupted run', async () => {
    const out = join(dir, 'resumed.csv');
    const child = spawn(
      process.execPath,
      [CLI, ...bulkArgs(server.url, out, ['--batch-size', '200', '--concurrency', '1'])],
      {
        env: { PATH: process.env.PATH, ...env },
        stdio: 'ignore',
      },
    );
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        const progress = existsSync(`${out}.progress`)
          ? (JSON.parse(readFileSync(`${out}.progress`, 'utf8')) as { rows: number })
          : { rows: 0 };
        if (progress.rows >= 10_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.once('exit', () => {
        clearInterval(poll);
        reject(new Error('bulk finished before it could be interrupted'));
      });
    });
    await new Promise((r) => child.once('exit', r));
    const partial = JSON.parse(readFileSync(`${out}.progress`, 'utf8')) as { rows: number };
    expect(partial.rows).toBeLessThan(ROWS);
    // A few garbage bytes past the recorded progress, as a crash mid-write would leave.
    writeFileSync(out, 'garbage-after-crash', { flag: 'a' });

    const resumed = runCli(bulkArgs(server.url, out, ['--resume']), env);
    expect(resumed.status).toBe(2);
    expect(resumed.stderr).toMatch(new RegExp(`resumed after row ${partial.rows}`));
    // Counts are of the whole output, not restarted at the resume.
    expect(resumed.stderr).toMatch(/done, 100000 rows \(99899 tokens, 101 row errors/);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(dir, 'tokens.csv'), 'utf8'));
  }, 120_000);
});

describe('sectoken bulk: runs that fail at once leave nothing behind', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const small = join(dir, 'ten.csv');
  beforeAll(async () => {
    writeFileSync(small, lines.slice(0, 11).join('\n') + '\n');
    server = await startServer(serverEnv({ ...devConfig(), rateLimits: { defaults: {}, clients: {} } }));
  });
  afterAll(async () => stopServer(server.child));
  const args = (url: string, out: string, sector = 'health'): string[] => [
    'bulk',
    '--url',
    url,
    '--sector',
    sector,
    '--in',
    small,
    '--out',
    out,
    '--column',
    '2',
    '--header',
  ];
  const oneLine = (stderr: string): string => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    return stderr.trim();
  };

  it.each([
    [
      'a wrong API key',
      { SECTOKEN_API_KEY: 'stk_dev_nobody' },
      'health',
      /refused the API key \(401 unauthenticated\): check SECTOKEN_API_KEY/,
    ],
    [
      'a client of another sector',
      { SECTOKEN_API_KEY: 'stk_dev_tax-backend' },
      'health',
      /may not tokenize in sector "health" \(403 forbidden\)/,
    ],
    ['an unknown sector', env, 'heatlh', /has no sector "heatlh" \(404 unknown_sector\): check --sector/],
  ])(
    'when refused for %s, then one line, no output, and the corrected rerun just runs',
    (_what, badEnv, sector, message) => {
      const out = join(dir, `refused-${sector}-${Math.random().toString(36).slice(2)}.csv`);
      const r = runCli(args(server.url, out, sector), badEnv);
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(message);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.progress`)).toBe(false);
      const again = runCli(args(server.url, out), env);
      expect(again.status).toBe(2);
      expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(11);
    },
  );

  it('when the input is missing, then one line naming it and no output', () => {
    const out = join(dir, 'no-input.csv');
    const r = runCli(
      ['bulk', '--url', server.url, '--sector', 'health', '--in', join(dir, 'nowhere.csv'), '--out', out],
      env,
    );
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/cannot read input .*nowhere\.csv: no such file/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('sectoken bulk interrupted', () => {
  it('when stopped with Ctrl-C, then it says how to resume, and --resume completes the same output', async () => {
    const server = await startServer(serverEnv({ ...devConfig(), rateLimits: { defaults: {}, clients: {} } }));
    try {
      const small = join(dir, 'six-thousand.csv');
      writeFileSync(small, lines.slice(0, 6001).join('\n') + '\n');
      const out = join(dir, 'interrupted.csv');
      const args = [
        'bulk',
        '--url',
        server.url,
        '--sector',
        'health',
        '--in',
        small,
        '--out',
        out,
        '--column',
        '2',
        '--header',
        '--batch-size',
        '50',
        '--concurrency',
        '1',
      ];
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          const progress = existsSync(`${out}.progress`)
            ? (JSON.parse(readFileSync(`${out}.progress`, 'utf8')) as { rows: number })
            : { rows: 0 };
          if (progress.rows >= 500) {
            clearInterval(poll);
            child.kill('SIGINT');
            resolve();
          }
        }, 5);
        void exited.then(() => {
          clearInterval(poll);
          reject(new Error('bulk finished before it could be interrupted'));
        });
      });
      expect(await exited).toBe(130);
      expect(stderr).toMatch(
        /bulk: interrupted \(SIGINT\) after \d+ rows in .*interrupted\.csv; rerun the same command with --resume to continue/,
      );
      const resumed = runCli([...args, '--resume'], env);
      expect(resumed.status).toBe(2);
      expect(resumed.stderr).toMatch(/done, 6000 rows/);
      expect(readFileSync(out, 'utf8')).toBe(
        readFileSync(join(dir, 'tokens.csv'), 'utf8').split('\n').slice(0, 6001).join('\n') + '\n',
      );
    } finally {
      await stopServer(server.child);
    }
  }, 60_000);

  it('after --resume, the rate counts only the rows of this run', () => {
    expect(rateAndEta({ rows: 60_000, resumedFrom: 50_000, elapsedMs: 1000, total: 100_000 })).toEqual({
      rate: 10_000,
      etaSeconds: 4,
    });
    expect(rateAndEta({ rows: 50_000, resumedFrom: 50_000, elapsedMs: 10, total: 100_000 }).etaSeconds).toBeUndefined();
  });
});

describe('sectoken bulk under a quota', () => {
  it("when run against the sample's limits with its defaults, then it sends batches the client's window can hold (GET /v1/me) and completes in order", async () => {
    const server = await startServer(serverEnv(devConfig()));
    try {
      const small = join(dir, 'sample-limits.csv');
      // 401 rows: three batches, the last one past the first second's window (200 a second).
      writeFileSync(small, lines.slice(0, 402).join('\n') + '\n');
      const out = join(dir, 'sample-limits-out.csv');
      const r = runCli(
        ['bulk', '--url', server.url, '--sector', 'health', '--in', small, '--out', out, '--column', '2', '--header'],
        env,
      );
      expect([r.status, withoutProgress(r.stderr)]).toEqual([
        2,
        expect.stringMatching(
          /^bulk: done, 401 rows \(\d+ tokens, \d+ row errors, \d+ retries, batches of 200\) into /,
        ),
      ]);
      const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(rows).toHaveLength(402);
      rows.slice(1).forEach((row, i) => expect(row.startsWith(`R${i},`)).toBe(true));
      // Even a larger --batch-size asked for is cut to what the window holds, rather than refused for ever.
      const bigger = runCli(
        [
          'bulk',
          '--url',
          server.url,
          '--sector',
          'health',
          '--in',
          small,
          '--out',
          join(dir, 'sample-limits-1000.csv'),
          '--column',
          '2',
          '--header',
          '--batch-size',
          '1000',
        ],
        env,
      );
      expect([bigger.status, /batches of (\d+)/.exec(bigger.stderr)?.[1]]).toEqual([2, '200']);
    } finally {
      await stopServer(server.child);
    }
  }, 60_000);

  it('backs off on 429 using Retry-After and still completes in order', async () => {
    const server = await startServer(
      serverEnv({
        ...devConfig(),
        rateLimits: { defaults: { identities: [{ points: 2500, perSeconds: 1 }] }, clients: {} },
      }),
    );
    try {
      const small = join(dir, 'small.csv');
      writeFileSync(small, lines.slice(0, 6001).join('\n') + '\n');
      const out = join(dir, 'small-out.csv');
      const r = runCli(
        [
          'bulk',
          '--url',
          server.url,
          '--sector',
          'health',
          '--in',
          small,
          '--out',
          out,
          '--column',
          '2',
          '--header',
          '--batch-size',
          '1000',
          '--concurrency',
          '3',
        ],
        env,
      );
      expect(r.status).toBe(2);
      const retries = Number(/(\d+) retries/.exec(r.stderr)?.[1]);
      expect(retries).toBeGreaterThan(0);
      const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(rows).toHaveLength(6001);
      rows.slice(1).forEach((row, i) => expect(row.startsWith(`R${i},`)).toBe(true));
    } finally {
      await stopServer(server.child);
    }
  });
});
