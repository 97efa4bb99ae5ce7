/**
 * `sectoken bulk` on a real spreadsheet export, through the built CLI against a service process:
 * RFC 4180 quoting ("Doe, Jane", doubled quotes, a field over two lines), CRLF, a BOM, blank and
 * empty rows, rows wider and narrower than the header, a malformed row named by line, the `;`
 * export of a European spreadsheet (refused without --delimiter, read with it, Latin-1 bytes kept),
 * and exit codes. Resuming by record, not by line, with fields over several lines.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unrankNationalId } from '../../src/derivation/nationalId.js';
import { CLI, runCli, stopServer } from '../helpers/cli.js';
import { BULK_ENV, bulkServer, withoutProgress, expectedToken } from '../helpers/bulk.js';

const dir = mkdtempSync(join(tmpdir(), 'sectoken-bulk-csv-'));
const id = (i: number): string => unrankNationalId(1_000 + i * 7_919);
const BOM = '\ufeff';

const bulk = (url: string, input: string, out: string, extra: string[] = []): string[] => [
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
  '3',
  '--header',
  ...extra,
];

const oneLine = (stderr: string): string => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return stderr.trim();
};

describe('sectoken bulk reads a spreadsheet export', () => {
  let server: Awaited<ReturnType<typeof bulkServer>>;
  let token: (nationalId: string) => string;
  beforeAll(async () => {
    server = await bulkServer(dir);
    token = expectedToken(dir);
  });
  afterAll(async () => stopServer(server.child));

  it('when the export is comma-separated with quotes, CRLF, a BOM, blank rows, extra columns and a malformed row, then every readable row keeps its columns, the token and error take the two columns after the header, the malformed row is named by line, and the exit code is 2', () => {
    const input = join(dir, 'export.csv');
    writeFileSync(
      input,
      BOM +
        [
          'recordId,name,nationalId,city', // line 1
          `R1,"Doe, Jane",${id(1)},Rabat`, // line 2
          `R2,"Line one\r\nline two",${id(2)},Fès`, // lines 3-4
          '', // line 5: blank
          ',,,', // line 6: an empty spreadsheet row
          `R3,"He said ""hi""",${id(3)},Casa,EXTRA`, // line 7: one column more than the header
          `R4,Short,${id(4)}`, // line 8: one column less
          `R5,Jo"hn,${id(5)},Tanger`, // line 9: a stray quote
          `R6,Smith, ${id(6)} ,Agadir`, // line 10: spaces around the ID
          'R7,Nobody,not-an-id,Rabat', // line 11
          `R8,Long,${'A'.repeat(300)},Rabat`, // line 12: longer than the API takes, answered without sending it
        ].join('\r\n') +
        '\r\n',
    );
    const out = join(dir, 'export-tokens.csv');
    const r = runCli(bulk(server.url, input, out), BULK_ENV);
    expect(withoutProgress(r.stderr).trim().split('\n')).toEqual([
      'bulk: line 9 left out of the output, it is not valid CSV: a quote inside a field that does not start with one (quote the whole field and double the quote: "5"" screen")',
      expect.stringMatching(
        /^bulk: done, 8 rows \(5 tokens, 2 row errors, 1 malformed rows left out \(line 9\), 0 retries, batches of \d+\) into /,
      ),
    ]);
    expect(r.status).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe(
      BOM +
        [
          'recordId,name,nationalId,city,token,error',
          `R1,"Doe, Jane",${id(1)},Rabat,${token(id(1))},`,
          `R2,"Line one\r\nline two",${id(2)},Fès,${token(id(2))},`,
          `R3,"He said ""hi""",${id(3)},Casa,${token(id(3))},,EXTRA`,
          `R4,Short,${id(4)},,${token(id(4))},`,
          `R6,Smith, ${id(6)} ,Agadir,${token(id(6))},`,
          'R7,Nobody,not-an-id,Rabat,,invalid_national_id',
          `R8,Long,${'A'.repeat(300)},Rabat,,invalid_national_id`,
        ].join('\r\n') +
        '\r\n',
    );
    expect(existsSync(`${out}.progress`)).toBe(false);
  });

  it('when every row has a token, then the exit code is 0', () => {
    const input = join(dir, 'clean.csv');
    writeFileSync(input, `recordId,name,nationalId\nR1,"Doe, Jane",${id(1)}\nR2,Roe,${id(2)}\n`);
    const out = join(dir, 'clean-tokens.csv');
    const r = runCli(bulk(server.url, input, out), BULK_ENV);
    expect([r.status, withoutProgress(r.stderr)]).toEqual([
      0,
      expect.stringMatching(/^bulk: done, 2 rows \(2 tokens, 0 row errors, /),
    ]);
    expect(readFileSync(out, 'utf8')).toBe(
      `recordId,name,nationalId,token,error\nR1,"Doe, Jane",${id(1)},${token(id(1))},\nR2,Roe,${id(2)},${token(id(2))},\n`,
    );
  });

  it('when a European export is separated by ";", then without --delimiter it is refused in one line that names it, leaving nothing, and with it every column comes back as it was (Latin-1 bytes included), separated by ";"', () => {
    const input = join(dir, 'export-fr.csv');
    const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
    writeFileSync(
      input,
      latin1(
        ['recordId;name;nationalId;city', `R1;Doe, Jane;${id(1)};Fès`, `R2;"Semi; colon";${id(2)};Rabat`].join('\r\n') +
          '\r\n',
      ),
    );
    const out = join(dir, 'export-fr-tokens.csv');
    const refused = runCli(bulk(server.url, input, out), BULK_ENV);
    expect(refused.status).toBe(1);
    expect(oneLine(refused.stderr)).toBe(
      `sectoken: --column 3, but the first row has 1 column split on ",": it looks separated by ";": add --delimiter ';'`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.progress`)).toBe(false);

    const r = runCli(bulk(server.url, input, out, ['--delimiter', ';']), BULK_ENV);
    expect([r.status, withoutProgress(r.stderr)]).toEqual([
      0,
      expect.stringMatching(/^bulk: done, 2 rows \(2 tokens, 0 row errors/),
    ]);
    expect(readFileSync(out)).toEqual(
      latin1(
        [
          'recordId;name;nationalId;city;token;error',
          `R1;Doe, Jane;${id(1)};Fès;${token(id(1))};`,
          `R2;"Semi; colon";${id(2)};Rabat;${token(id(2))};`,
        ].join('\r\n') + '\r\n',
      ),
    );
  });

  it('when a quote is never closed, then the rows it swallows are named as one malformed span and the run still completes', () => {
    const input = join(dir, 'unclosed.csv');
    writeFileSync(input, `recordId,name,nationalId\nR1,Roe,${id(1)}\nR2,"Doe,${id(2)}\nR3,Poe,${id(3)}\n`);
    const out = join(dir, 'unclosed-tokens.csv');
    const r = runCli(bulk(server.url, input, out), BULK_ENV);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'bulk: line 3-4 left out of the output, it is not valid CSV: a quote that is never closed',
    );
    expect(r.stderr).toMatch(/done, 2 rows \(1 tokens, 0 row errors, 1 malformed rows left out \(line 3-4\)/);
    expect(readFileSync(out, 'utf8')).toBe(`recordId,name,nationalId,token,error\nR1,Roe,${id(1)},${token(id(1))},\n`);
  });

  it('when a quote is never closed in a large file, then the run stops at 1 MiB naming the line, and after the line is fixed --resume completes the output of the fixed file', () => {
    const input = join(dir, 'runaway.csv');
    const lines = ['recordId,name,nationalId'];
    for (let i = 0; i < 60_000; i++) lines.push(`R${i},${i === 12 ? '"Doe' : 'Doe'},${id(i)}`);
    writeFileSync(input, lines.join('\n') + '\n');
    const out = join(dir, 'runaway-tokens.csv');
    const args = bulk(server.url, input, out, ['--batch-size', '5']);
    const stopped = runCli(args, BULK_ENV);
    expect(stopped.status).toBe(1);
    expect(oneLine(stopped.stderr)).toBe(
      `sectoken: cannot read input ${input} past line 14: the row there runs over 1 MiB (a quote never closed?): fix that line; 10 rows are done in ${out}: fix that and rerun the same command with --resume to continue`,
    );
    writeFileSync(input, readFileSync(input, 'utf8').replace('"Doe', 'Doe'));
    // Resumed in batches of the service's size (the batch size is no part of the checkpoint).
    const resumed = runCli([...bulk(server.url, input, out), '--resume'], BULK_ENV);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr.trim().split('\n').pop()).toMatch(
      /^bulk: done, 60000 rows \(60000 tokens, .*resumed after row 10\)/,
    );
    const fresh = join(dir, 'runaway-fixed-tokens.csv');
    expect(runCli(bulk(server.url, input, fresh), BULK_ENV).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(fresh, 'utf8'));
  }, 60_000);

  it('when the header row is not valid CSV, then one line naming its line, and nothing written', () => {
    const input = join(dir, 'bad-header.csv');
    writeFileSync(input, `recordId,"na"me,nationalId\nR1,Roe,${id(1)}\n`);
    const out = join(dir, 'bad-header-tokens.csv');
    const r = runCli(bulk(server.url, input, out), BULK_ENV);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      'sectoken: cannot read the header row (line 1): text after the closing quote of a field (a quote inside a quoted field is written twice: "")',
    );
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['--delimiter', 'ab'], /--delimiter must be one character/],
    [['--delimiter', '"'], /--delimiter must be one character/],
    [['--column', '9'], /--column 9, but the first row has 4 columns split on ",": check --column and --delimiter/],
  ])('when started with %j, then one line and nothing written', (extra, message) => {
    const input = join(dir, 'export.csv');
    const out = join(dir, `refused-${Math.random().toString(36).slice(2)}.csv`);
    const r = runCli(bulk(server.url, input, out, extra), BULK_ENV);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('when a run over fields that span lines is killed, then --resume continues by record (not by line) to the same output as an uninterrupted run', async () => {
    const rows = 3000;
    const input = join(dir, 'addresses.csv');
    const lines = ['recordId,address,nationalId'];
    // Two rows are malformed: one before the interruption, one after.
    const malformed = [10, 2990];
    const malformedLines: number[] = [];
    for (let i = 0; i < rows; i++) {
      if (malformed.includes(i)) {
        malformedLines.push(lines.join('\n').split('\n').length + 1);
        lines.push(`R${i},Jo"hn,${id(i)}`);
      } else lines.push(`R${i},"${i} Main Street\nFloor ${i % 7}",${id(i)}`);
    }
    writeFileSync(input, lines.join('\n') + '\n');
    const [early, late] = malformedLines;
    const whole = join(dir, 'addresses-whole.csv');
    const uninterrupted = runCli(bulk(server.url, input, whole), BULK_ENV);
    expect(uninterrupted.status).toBe(2);
    expect(uninterrupted.stderr).toContain(`bulk: line ${early} left out`);
    expect(uninterrupted.stderr).toContain(`bulk: line ${late} left out`);

    const out = join(dir, 'addresses-resumed.csv');
    const args = bulk(server.url, input, out, ['--batch-size', '20', '--concurrency', '1']);
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, ...BULK_ENV },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        const progress = existsSync(`${out}.progress`)
          ? (JSON.parse(readFileSync(`${out}.progress`, 'utf8')) as { rows: number })
          : { rows: 0 };
        if (progress.rows >= 300) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      void exited.then(() => {
        clearInterval(poll);
        reject(new Error('bulk finished before it could be interrupted'));
      });
    }).catch((err: unknown) => {
      throw err;
    });
    await exited;
    const partial = JSON.parse(readFileSync(`${out}.progress`, 'utf8')) as { rows: number };
    expect(partial.rows).toBeLessThan(rows);
    // A crash mid-write leaves bytes past the checkpoint.
    writeFileSync(out, 'R999,"half a ro', { flag: 'a' });

    const resumed = runCli([...bulk(server.url, input, out), '--resume'], BULK_ENV);
    // The malformed row before the checkpoint was named by the first run: counted, not named again.
    expect([resumed.status, withoutProgress(resumed.stderr).trim().split('\n')]).toEqual([
      2,
      [
        expect.stringMatching(new RegExp(`^bulk: line ${late} left out`)),
        expect.stringMatching(
          new RegExp(
            `^bulk: done, 3000 rows \\(2998 tokens, 0 row errors, 2 malformed rows left out \\(line ${early}, ${late}\\), .*resumed after row ${partial.rows}\\)`,
          ),
        ),
      ],
    ]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(whole, 'utf8'));
    expect(existsSync(`${out}.progress`)).toBe(false);
  }, 60_000);
});
