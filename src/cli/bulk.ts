/**
 * `sectoken bulk`: onboard a sector's register. The API key comes from SECTOKEN_API_KEY (never a
 * flag, so it stays out of shell history and process lists). A progress bar with rate and ETA on a
 * terminal, plain lines otherwise.
 */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { checkpointPath } from './bulk/checkpoint.js';
import { delimiterOf } from './bulk/columns.js';
import { BulkError } from './bulk/error.js';
import { rateAndEta } from './bulk/progress.js';
import { runBulk } from './bulk/run.js';
import { serviceTokenizer } from './bulk/serviceTokenizer.js';

const int = (v: string): number => Number.parseInt(v, 10);

/** Malformed rows named one by one on stderr; beyond, only counted. */
const MALFORMED_SHOWN = 20;

export function bulkCommand(): Command {
  return new Command('bulk')
    .description("tokenize a CSV register through a running service's /v1/tokens/batch (API key in SECTOKEN_API_KEY)")
    .requiredOption('--url <url>', 'the service, e.g. http://127.0.0.1:8080')
    .requiredOption('--sector <id>', 'sector to tokenize in')
    .requiredOption('--in <file>', 'input CSV (RFC 4180, e.g. a spreadsheet export), one person per row')
    .requiredOption(
      '--out <file>',
      "output CSV: each input row with its token and error in the two columns after the header's, in input order",
    )
    .option('--column <n>', 'column of the national ID (1-based)', int, 1)
    .option('--delimiter <c>', "the character between columns: , or ';' (a European spreadsheet export) or tab", ',')
    .option('--header', 'the first row is a header', false)
    .option(
      '--batch-size <n>',
      "national IDs per request (default and most: the client's batch limit, GET /v1/me)",
      int,
    )
    .option('--concurrency <n>', 'requests in flight', int, 4)
    .option('--resume', 'continue an interrupted run into the same --out', false)
    .option('--max-retries <n>', 'retries of one batch (429, 5xx, network) before giving up', int, 20)
    .addHelpText(
      'after',
      '\nExit codes: 0 every row has its token; 2 done, but some rows have none (their error column, or their line\nnamed as not valid CSV); 1 not done (the line printed says what to change); 130/143 stopped (rerun with --resume).',
    )
    .action(
      async (opts: {
        url: string;
        sector: string;
        in: string;
        out: string;
        column: number;
        delimiter: string;
        header: boolean;
        batchSize?: number;
        concurrency: number;
        resume: boolean;
        maxRetries: number;
      }) => {
        for (const [name, value] of [
          ['--batch-size', opts.batchSize ?? 1],
          ['--concurrency', opts.concurrency],
          ['--column', opts.column],
        ] as const) {
          if (!Number.isInteger(value) || value < 1)
            throw new BulkError(`${name} must be a whole number of at least 1`);
        }
        if (!Number.isInteger(opts.maxRetries) || opts.maxRetries < 0)
          throw new BulkError('--max-retries must be a whole number');
        if (!/^https?:\/\/[^/]+/.test(opts.url))
          throw new BulkError(`--url must be the service's http(s) address, e.g. http://127.0.0.1:8080`);
        const apiKey = process.env.SECTOKEN_API_KEY;
        if (!apiKey) throw new BulkError('SECTOKEN_API_KEY is not set: the API key of a service client of the sector');
        const delimiter = delimiterOf(opts.delimiter);
        const tty = process.stderr.isTTY === true;
        // Without a terminal, a line every 5 s: a short run prints only its result.
        let lastLine = Date.now();
        let rowsDone = 0;
        // Progress is on disk after every chunk, so stopping here loses nothing: say how to go on.
        const interrupted = (signal: NodeJS.Signals, code: number): void => {
          process.stderr.write(
            existsSync(checkpointPath(opts.out))
              ? `${tty ? '\n' : ''}bulk: interrupted (${signal})${rowsDone > 0 ? ` after ${rowsDone} rows` : ''} in ${opts.out}; rerun the same command with --resume to continue\n`
              : `bulk: interrupted (${signal}) before writing anything\n`,
          );
          process.exit(code);
        };
        process.once('SIGINT', () => interrupted('SIGINT', 130));
        process.once('SIGTERM', () => interrupted('SIGTERM', 143));
        const tokenizer = serviceTokenizer({
          url: opts.url.replace(/\/$/, ''),
          apiKey,
          sector: opts.sector,
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
          maxRetries: opts.maxRetries,
        });
        const result = await runBulk({
          input: opts.in,
          output: opts.out,
          column: opts.column,
          delimiter,
          header: opts.header,
          resume: opts.resume,
          tokenizer,
          onMalformed: ({ lines, reason, count }) => {
            // Each named while few; a file full of them is one problem, counted in the summary.
            if (count <= MALFORMED_SHOWN)
              process.stderr.write(
                `${tty ? '\r\x1b[K' : ''}bulk: line ${lines} left out of the output, it is not valid CSV: ${reason}\n`,
              );
          },
          onProgress: ({ rows, errors, elapsedMs, resumedFrom, inputBytes, resumedFromBytes, inputSize }) => {
            rowsDone = rows;
            const { rate } = rateAndEta({ rows, resumedFrom, elapsedMs });
            if (tty && inputSize > 0) {
              // Rows in a file are known only once read (a field may span lines): the bar follows bytes.
              const { etaSeconds } = rateAndEta({
                rows: inputBytes,
                resumedFrom: resumedFromBytes,
                elapsedMs,
                total: inputSize,
              });
              const share = Math.min(1, inputBytes / inputSize);
              const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
              process.stderr.write(
                `\r[${bar}] ${rows} rows ${(share * 100).toFixed(1)}%  ${Math.round(rate)} rows/s  ETA ${etaSeconds ?? '?'}s  errors ${errors}   `,
              );
            } else if (Date.now() - lastLine > 5000) {
              lastLine = Date.now();
              process.stderr.write(`bulk: ${rows} rows, ${Math.round(rate)} rows/s, ${errors} row errors\n`);
            }
          },
        });
        if (tty) process.stderr.write('\n');
        const malformed =
          result.malformed > 0
            ? `, ${result.malformed} malformed rows left out (line ${result.malformedLines.join(', ')}${result.malformed > result.malformedLines.length ? ', …' : ''})`
            : '';
        process.stderr.write(
          `bulk: done, ${result.rows} rows (${result.tokens} tokens, ${result.errors} row errors${malformed}, ${result.retries} retries, batches of ${result.batchSize}${result.resumedFrom ? `, resumed after row ${result.resumedFrom}` : ''}) into ${opts.out}\n`,
        );
        // 0: every row has its token; 2: done, but some rows have none (see the error column and the lines named).
        if (result.errors + result.malformed > 0) process.exitCode = 2;
      },
    );
}
