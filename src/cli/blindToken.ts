/**
 * `sectoken blind-token`: a blind sector's tokens through the client library
 * (src/client/blind.ts), for a backend or an operator's check: the national IDs are blinded here
 * and never sent. The API key comes from SECTOKEN_API_KEY (never a flag). National IDs are the
 * arguments, or one per line on standard input; each gets one JSON line on standard output, in
 * order: `{"token":…,"keyVersion":…}` or `{"error":"invalid_national_id"}`.
 */
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { BlindClientError, blindTokens } from '../client/blind.js';
import { CliError } from './errors.js';

/** `--public-key 1:<base64url>`, repeatable: the sector's published keys, pinned. */
function pin(value: string, pinned: Record<number, string>): Record<number, string> {
  const match = /^([1-9][0-9]{0,5}):([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) throw new CliError(`--public-key takes VERSION:KEY, the key as GET /v1/blind/keys/{sector} prints it`);
  return { ...pinned, [Number(match[1])]: match[2]! };
}

async function stdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) lines.push(line);
  return lines;
}

export function blindTokenCommand(): Command {
  return new Command('blind-token')
    .description(
      "a blind sector's tokens of national IDs, blinded here and never sent (RFC 9497 VOPRF; API key in SECTOKEN_API_KEY)",
    )
    .argument('[nationalIds...]', 'national IDs; none: one per line on standard input')
    .requiredOption('--url <url>', 'the service, e.g. http://127.0.0.1:8080')
    .requiredOption('--sector <id>', 'the blind sector')
    .option(
      '--public-key <version:key>',
      "the sector's published public key of a version, pinned (repeatable)",
      pin,
      {},
    )
    .action(async (ids: string[], opts: { url: string; sector: string; publicKey: Record<number, string> }) => {
      if (!/^https?:\/\/[^/]+/.test(opts.url))
        throw new CliError(`--url must be the service's http(s) address, e.g. http://127.0.0.1:8080`);
      const apiKey = process.env.SECTOKEN_API_KEY;
      if (!apiKey) throw new CliError('SECTOKEN_API_KEY is not set: the API key of a service client of the sector');
      const nationalIds = ids.length > 0 ? ids : await stdinLines();
      try {
        const results = await blindTokens(
          { url: opts.url, apiKey, sector: opts.sector, publicKeys: opts.publicKey },
          nationalIds,
        );
        process.stdout.write(results.map((r) => JSON.stringify(r) + '\n').join(''));
      } catch (err) {
        if (err instanceof BlindClientError) throw new CliError(`blind-token: ${err.message}`);
        throw err;
      }
    });
}
