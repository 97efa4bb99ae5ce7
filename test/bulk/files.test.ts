/**
 * `sectoken bulk` file and service mistakes, through the built CLI: each is one line saying what to
 * do, exit 1, no stack, and a refused start leaves no output and no `.progress`, so the corrected
 * command just runs. A server that answers errors is a real HTTP server of the test's own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unrankNationalId } from '../../src/derivation/nationalId.js';
import { CLI, runCli, stopServer, type CliResult } from '../helpers/cli.js';
import { BULK_ENV, bulkServer, withoutProgress } from '../helpers/bulk.js';

const dir = mkdtempSync(join(tmpdir(), 'sectoken-bulk-files-'));
const input = join(dir, 'register.csv');
writeFileSync(input, `recordId,nationalId\nR1,${unrankNationalId(1)}\nR2,${unrankNationalId(2)}\n`);

const bulk = (url: string, inFile: string, out: string, extra: string[] = []): string[] => [
  'bulk',
  '--url',
  url,
  '--sector',
  'health',
  '--in',
  inFile,
  '--out',
  out,
  '--column',
  '2',
  '--header',
  ...extra,
];

/** The one line of a refusal, without the `sectoken: ` prefix. */
function refusal(r: CliResult): string {
  expect(r.status).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^sectoken: /);
  return lines[0]!.slice('sectoken: '.length);
}

/** No file at all was written in `folder` but the ones listed. */
const filesIn = (folder: string): string[] => readdirSync(folder).sort();

describe('sectoken bulk: file mistakes', () => {
  let server: Awaited<ReturnType<typeof bulkServer>>;
  beforeAll(async () => {
    server = await bulkServer(dir);
  });
  afterAll(async () => stopServer(server.child));

  it('when --out is in a directory that does not exist, then one line naming it, and nothing is created', () => {
    const out = join(dir, 'missing', 'tokens.csv');
    expect(refusal(runCli(bulk(server.url, input, out), BULK_ENV))).toBe(
      `cannot write output ${out}: directory ${join(dir, 'missing')} does not exist: create it first, or choose another --out`,
    );
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('when --out is a directory, then one line saying to name a file in it', () => {
    const out = join(dir, 'a-folder');
    mkdirSync(out);
    expect(refusal(runCli(bulk(server.url, input, out), BULK_ENV))).toBe(
      `--out ${out} is a directory: name the file to write in it, e.g. ${out}/tokens.csv`,
    );
    expect(filesIn(out)).toEqual([]);
  });

  it('when --in is a directory, then one line, no output and no .progress, and the corrected command just runs', () => {
    const work = mkdtempSync(join(dir, 'in-dir-'));
    const out = join(work, 'tokens.csv');
    expect(refusal(runCli(bulk(server.url, work, out), BULK_ENV))).toBe(
      `cannot read input ${work}: it is a directory: name the CSV file in it`,
    );
    expect(filesIn(work)).toEqual([]);
    const corrected = runCli(bulk(server.url, input, out), BULK_ENV);
    expect([corrected.status, withoutProgress(corrected.stderr)]).toEqual([
      0,
      expect.stringMatching(/^bulk: done, 2 rows \(2 tokens/),
    ]);
    // A finished run leaves its output only: the checkpoint is gone.
    expect(filesIn(work)).toEqual(['tokens.csv']);
  });

  it.each([
    ['empty', '', 'it holds no rows'],
    ['blank lines only', '\n\r\n\n', 'it holds no rows'],
    ['UTF-16', '\ufffe', 'it is UTF-16'],
  ])('when --in is %s, then one line and nothing written', (_what, content, message) => {
    const work = mkdtempSync(join(dir, 'in-bad-'));
    const bad = join(work, 'bad.csv');
    writeFileSync(bad, content === '\ufffe' ? Buffer.from([0xff, 0xfe, 0x61, 0x00]) : content);
    expect(refusal(runCli(bulk(server.url, bad, join(work, 'tokens.csv')), BULK_ENV))).toContain(message);
    expect(filesIn(work)).toEqual(['bad.csv']);
  });

  it('when --in or the output directory cannot be read or written by the user running bulk, then one line each, nothing written', () => {
    const work = mkdtempSync(join(dir, 'perm-'));
    chmodSync(dir, 0o755);
    chmodSync(work, 0o755);
    const secret = join(work, 'secret.csv');
    writeFileSync(secret, readFileSync(input));
    chmodSync(secret, 0o600);
    const readable = join(work, 'readable.csv');
    writeFileSync(readable, readFileSync(input));
    chmodSync(readable, 0o644);
    // As root, permissions bind only another user: run bulk as nobody; otherwise take the rights away.
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) {
      chmodSync(secret, 0o000);
      chmodSync(work, 0o555);
    }
    const run = (args: string[]): CliResult => {
      const r = spawnSync(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH, ...BULK_ENV },
        encoding: 'utf8',
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const out = join(work, 'tokens.csv');
    expect(refusal(run(bulk(server.url, secret, out)))).toBe(`cannot read input ${secret}: permission denied`);
    expect(refusal(run(bulk(server.url, readable, out)))).toBe(
      `cannot write output ${out} in ${work}: permission denied`,
    );
    chmodSync(work, 0o755);
    expect(filesIn(work)).toEqual(['readable.csv', 'secret.csv']);
  });

  it('when the output of a finished run exists, then it is neither overwritten nor resumed (an interrupted one is: bulk.test.ts)', () => {
    const work = mkdtempSync(join(dir, 'exists-'));
    const out = join(work, 'tokens.csv');
    expect(runCli(bulk(server.url, input, out), BULK_ENV).status).toBe(0);
    const done = readFileSync(out, 'utf8');
    expect(refusal(runCli(bulk(server.url, input, out), BULK_ENV))).toBe(
      `${out} exists: refusing to overwrite (choose another --out, or move it aside)`,
    );
    expect(refusal(runCli(bulk(server.url, input, out, ['--resume']), BULK_ENV))).toBe(
      `${out} exists but ${out}.progress does not: the run was complete, nothing to resume`,
    );
    expect(readFileSync(out, 'utf8')).toBe(done);
  });

  it('when resumed from another input, then one line saying so and the output is untouched; from the same input it completes', () => {
    const work = mkdtempSync(join(dir, 'other-input-'));
    const out = join(work, 'tokens.csv');
    const header = 'recordId,nationalId,token,error\n';
    writeFileSync(out, header);
    // The checkpoint of a run interrupted after its header, fingerprinting the part of the input done.
    const done = 'recordId,nationalId\n'.length;
    const sha256 = createHash('sha256').update(readFileSync(input).subarray(0, done)).digest('hex');
    writeFileSync(
      `${out}.progress`,
      JSON.stringify({
        rows: 0,
        bytes: header.length,
        tokens: 0,
        errors: 0,
        malformed: 0,
        malformedLines: [],
        inputBytes: done,
        made: { delimiter: ',', column: 2, header: true },
        inputHead: { bytes: done, sha256 },
      }),
    );
    const other = join(work, 'other.csv');
    writeFileSync(other, `personId,nationalId\nP1,${unrankNationalId(3)}\n`);
    expect(refusal(runCli(bulk(server.url, other, out, ['--resume']), BULK_ENV))).toBe(
      `${other} is not the input ${out} was started from (its first rows differ): resume with the same --in, or start a new --out`,
    );
    expect(readFileSync(out, 'utf8')).toBe(header);
    const resumed = runCli(bulk(server.url, input, out, ['--resume']), BULK_ENV);
    expect([resumed.status, withoutProgress(resumed.stderr)]).toEqual([
      0,
      expect.stringMatching(/^bulk: done, 2 rows \(2 tokens/),
    ]);
  });

  it('when resumed with another delimiter, then one line saying to use the same options, and the output is untouched', () => {
    const work = mkdtempSync(join(dir, 'other-options-'));
    const out = join(work, 'tokens.csv');
    // The checkpoint of an interrupted run, as written after its header.
    const header = 'recordId,nationalId,token,error\n';
    writeFileSync(out, header);
    writeFileSync(
      `${out}.progress`,
      JSON.stringify({
        rows: 0,
        bytes: header.length,
        tokens: 0,
        errors: 0,
        malformed: 0,
        malformedLines: [],
        inputBytes: 0,
        made: { delimiter: ';', column: 2, header: true },
      }),
    );
    expect(refusal(runCli(bulk(server.url, input, out, ['--resume']), BULK_ENV))).toBe(
      `${out} was started --delimiter ";": resume with the same options`,
    );
    const resumed = runCli(bulk(server.url, input, out, ['--resume', '--delimiter', ';']), BULK_ENV);
    // The same options go on (here a ';' run of a ',' file: one wide column, refused as such).
    expect(refusal(resumed)).toMatch(/--column 2, but the first row has 1 column split on ";"/);
    expect(readFileSync(out, 'utf8')).toBe(header);
  });
});

describe('sectoken bulk: a service that cannot be used', () => {
  let fake: Server;
  let fakeUrl: string;
  /** What the test's own server answers, by method and path. */
  let answer: (method: string, path: string) => { status: number; body: string; type?: string };
  beforeAll(async () => {
    fake = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const a = answer(req.method!, req.url!);
        res.writeHead(a.status, { 'Content-Type': a.type ?? 'application/json' }).end(a.body);
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => fake.close(() => resolve())));

  /** The CLI as a process of its own while this one's event loop answers as the fake service. */
  const runBulk = (args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...BULK_ENV } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });

  const refusedAtOnce = async (extra: string[] = []): Promise<string> => {
    const work = mkdtempSync(join(dir, 'service-'));
    const started = Date.now();
    const line = refusal(await runBulk(bulk(fakeUrl, input, join(work, 'tokens.csv'), extra)));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(filesIn(work)).toEqual([]);
    return line;
  };

  it('when nothing listens at --url, then "connection refused" naming the URL at once, and nothing left', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const work = mkdtempSync(join(dir, 'refused-'));
    const started = Date.now();
    expect(refusal(runCli(bulk(url, input, join(work, 'tokens.csv')), BULK_ENV))).toBe(
      `connection refused to ${url}: is the service running there? check --url`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(filesIn(work)).toEqual([]);
  });

  it('when the service answers 500 to everything, then one line at once, nothing left', async () => {
    answer = () => ({ status: 500, body: '{"error":{"code":"internal"}}' });
    expect(await refusedAtOnce()).toBe(
      `the service at ${fakeUrl} answered 500 internal to GET /v1/me: check its health and log, then rerun`,
    );
  });

  it('when --url is another web server (404 pages, or 200 pages that are not sectoken), then one line saying to check --url', async () => {
    answer = () => ({ status: 404, body: '<html>Not Found</html>', type: 'text/html' });
    expect(await refusedAtOnce()).toBe(`no sectoken service at ${fakeUrl} (404 for GET /v1/me): check --url`);
    answer = () => ({ status: 200, body: '<html>Welcome</html>', type: 'text/html' });
    expect(await refusedAtOnce()).toBe(`${fakeUrl} did not answer GET /v1/me as a sectoken service (200): check --url`);
  });

  it('when every batch is answered 503, then it gives up after --max-retries in one line and leaves nothing', async () => {
    answer = (method) =>
      method === 'GET'
        ? { status: 200, body: JSON.stringify({ limits: { batchSize: 100, identities: [] } }) }
        : { status: 503, body: '{"error":{"code":"unavailable"}}' };
    expect(await refusedAtOnce(['--max-retries', '1'])).toBe('giving up after 2 attempts: last answer 503 unavailable');
  });
});
