/**
 * `sectoken bulk`: onboard a sector's register. The API key comes from SECTOKEN_API_KEY (never a
 * flag, so it stays out of shell history and process lists). A progress bar with rate and ETA on a
 * terminal, plain lines otherwise.
 */
import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { rateAndEta } from './bulk/progress.js';
import { BulkError, runBulk } from './bulk/run.js';

async function countLines(path: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) if (byte === 10) count += 1;
  }
  return count;
}

const int = (v: string): number => Number.parseInt(v, 10);

export function bulkCommand(): Command {
  return new Command('bulk')
    .description("tokenize a CSV register through a running service's /v1/tokens/batch (API key in SECTOKEN_API_KEY)")
    .requiredOption('--url <url>', 'the service, e.g. http://127.0.0.1:8080')
    .requiredOption('--sector <id>', 'sector to tokenize in')
    .requiredOption('--in <file>', 'input CSV, one person per row')
    .requiredOption('--out <file>', 'output CSV: each input row followed by token and error, in input order')
    .option('--column <n>', 'column of the national ID (1-based)', int, 1)
    .option('--header', 'the first row is a header', false)
    .option(
      '--batch-size <n>',
      "national IDs per request (default and most: the client's batch limit, GET /v1/me)",
      int,
    )
    .option('--concurrency <n>', 'requests in flight', int, 4)
    .option('--resume', 'continue an interrupted run into the same --out', false)
    .option('--max-retries <n>', 'retries of one batch (429, 5xx, network) before giving up', int, 20)
    .action(
      async (opts: {
        url: string;
        sector: string;
        in: string;
        out: string;
        column: number;
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
        const tty = process.stderr.isTTY;
        // An unreadable input is reported by runBulk, in one line.
        const total = tty ? (await countLines(opts.in).catch(() => 0)) - (opts.header ? 1 : 0) : undefined;
        // Without a terminal, a line every 5 s: a short run prints only its result.
        let lastLine = Date.now();
        let rowsDone = 0;
        // Progress is on disk after every chunk, so stopping here loses nothing: say how to go on.
        const interrupted = (signal: NodeJS.Signals, code: number): void => {
          process.stderr.write(
            `${tty ? '\n' : ''}bulk: interrupted (${signal})${rowsDone > 0 ? ` after ${rowsDone} rows` : ''} in ${opts.out}; rerun the same command with --resume to continue\n`,
          );
          process.exit(code);
        };
        process.once('SIGINT', () => interrupted('SIGINT', 130));
        process.once('SIGTERM', () => interrupted('SIGTERM', 143));
        const result = await runBulk({
          url: opts.url.replace(/\/$/, ''),
          apiKey,
          sector: opts.sector,
          input: opts.in,
          output: opts.out,
          column: opts.column,
          header: opts.header,
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
          resume: opts.resume,
          maxRetries: opts.maxRetries,
          onProgress: ({ rows, errors, elapsedMs, resumedFrom }) => {
            rowsDone = rows;
            const { rate, etaSeconds } = rateAndEta({ rows, resumedFrom, elapsedMs, ...(total ? { total } : {}) });
            if (tty && total) {
              const share = Math.min(1, rows / total);
              const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
              process.stderr.write(
                `\r[${bar}] ${rows}/${total} ${(share * 100).toFixed(1)}%  ${Math.round(rate)} rows/s  ETA ${etaSeconds ?? '?'}s  errors ${errors}   `,
              );
            } else if (Date.now() - lastLine > 5000) {
              lastLine = Date.now();
              process.stderr.write(`bulk: ${rows} rows, ${Math.round(rate)} rows/s, ${errors} row errors\n`);
            }
          },
        });
        if (tty) process.stderr.write('\n');
        process.stderr.write(
          `bulk: done, ${result.rows} rows (${result.tokens} tokens, ${result.errors} row errors, ${result.retries} retries, batches of ${result.batchSize}${result.resumedFrom ? `, resumed after row ${result.resumedFrom}` : ''}) into ${opts.out}\n`,
        );
      },
    );
}
