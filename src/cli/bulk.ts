/**
 * `sectoken bulk`: onboard a sector's register. The API key comes from SECTOKEN_API_KEY (never a
 * flag, so it stays out of shell history and process lists). A progress bar with rate and ETA on a
 * terminal, plain lines otherwise.
 */
import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { BulkError, runBulk } from '../bulk/run.js';

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
    .option('--batch-size <n>', 'national IDs per request', int, 1000)
    .option('--concurrency <n>', 'requests in flight', int, 4)
    .option('--resume', 'continue an interrupted run into the same --out', false)
    .option('--max-retries <n>', 'retries of one batch (429, 5xx, network) before giving up', int, 20)
    .action(async (opts: { url: string; sector: string; in: string; out: string; column: number; header: boolean; batchSize: number; concurrency: number; resume: boolean; maxRetries: number }) => {
      const apiKey = process.env.SECTOKEN_API_KEY;
      if (!apiKey) throw new BulkError('SECTOKEN_API_KEY is not set: the API key of a service client of the sector');
      const tty = process.stderr.isTTY === true;
      const total = tty ? (await countLines(opts.in)) - (opts.header ? 1 : 0) : undefined;
      let lastLine = 0;
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
        onProgress: ({ rows, errors, elapsedMs }) => {
          const rate = rows / Math.max(elapsedMs / 1000, 0.001);
          if (tty && total) {
            const share = Math.min(1, rows / total);
            const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
            const eta = rate > 0 ? Math.ceil((total - rows) / rate) : 0;
            process.stderr.write(`\r[${bar}] ${rows}/${total} ${(share * 100).toFixed(1)}%  ${Math.round(rate)} rows/s  ETA ${eta}s  errors ${errors}   `);
          } else if (Date.now() - lastLine > 5000) {
            lastLine = Date.now();
            process.stderr.write(`bulk: ${rows} rows, ${Math.round(rate)} rows/s, ${errors} row errors\n`);
          }
        },
      });
      if (tty) process.stderr.write('\n');
      process.stderr.write(
        `bulk: done, ${result.rows} rows (${result.tokens} tokens, ${result.errors} row errors, ${result.retries} retries${result.resumedFrom ? `, resumed after row ${result.resumedFrom}` : ''}) into ${opts.out}\n`,
      );
    });
}
