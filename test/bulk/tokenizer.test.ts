/**
 * The tokenizing step of a bulk run is a BatchTokenizer, so another way of tokenizing plugs into
 * the same reading, ordering, writing and resuming: here the derivation itself, in process (what a
 * `bulk --blind` through a client library would be in its place), gives the same output as the CLI
 * through the service; and what connect() refuses leaves nothing behind, whoever refuses it.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BulkError } from '../../src/cli/bulk/error.js';
import { runBulk } from '../../src/cli/bulk/run.js';
import type { BatchTokenizer } from '../../src/cli/bulk/tokenizer.js';
import { parseConfig } from '../../src/config/schema.js';
import { unrankNationalId } from '../../src/derivation/nationalId.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { SectokenError } from '../../src/errors.js';
import { parseKek } from '../../src/keys/seal.js';
import { openKeyringFile } from '../../src/keys/store.js';
import { runCli, stopServer } from '../helpers/cli.js';
import { BULK_ENV, bulkServer } from '../helpers/bulk.js';
import { devConfig } from '../helpers/service.js';

const dir = mkdtempSync(join(tmpdir(), 'sectoken-bulk-tokenizer-'));
const input = join(dir, 'export.csv');
const rows = ['recordId,name,nationalId,city'];
for (let i = 0; i < 250; i++)
  rows.push(
    i % 50 === 7 ? `R${i},"Roe, ""Bad""",not-an-id,Rabat` : `R${i},"Doe, Jane\r\nJr",${unrankNationalId(i * 31)},Fès`,
  );
writeFileSync(input, '\ufeff' + rows.join('\r\n') + '\r\n');

/** Batches tokenized in this process by the derivation, with the keyring the service uses. */
function inProcess(batchSize: number): BatchTokenizer & { batches: number[] } {
  const kek = parseKek(readFileSync(join(dir, 'dev.kek'), 'utf8'), 'dev.kek');
  const tokenizer = createTokenizer(
    parseConfig(devConfig(), 'sample'),
    openKeyringFile(join(dir, 'dev-keyring.json'), kek),
  );
  const batches: number[] = [];
  return {
    batches,
    connect: () => Promise.resolve({ batchSize, concurrency: 3 }),
    tokenize: (ids) => {
      batches.push(ids.length);
      return Promise.resolve(
        ids.map((id) => {
          try {
            return { token: tokenizer.tokenize('health', id).token };
          } catch (err) {
            if (err instanceof SectokenError) return { error: err.code };
            throw err;
          }
        }),
      );
    },
    retries: () => 0,
  };
}

describe('a bulk run with another BatchTokenizer', () => {
  it('when the batches are tokenized in process, then the output is the one the CLI writes through the service', async () => {
    const server = await bulkServer(dir);
    const viaService = join(dir, 'via-service.csv');
    try {
      expect(
        runCli(
          [
            'bulk',
            '--url',
            server.url,
            '--sector',
            'health',
            '--in',
            input,
            '--out',
            viaService,
            '--column',
            '3',
            '--header',
          ],
          BULK_ENV,
        ).status,
      ).toBe(2);
    } finally {
      await stopServer(server.child);
    }
    const tokenizer = inProcess(40);
    const out = join(dir, 'in-process.csv');
    const result = await runBulk({
      input,
      output: out,
      column: 3,
      delimiter: ',',
      header: true,
      resume: false,
      tokenizer,
    });
    expect(result).toMatchObject({ rows: 250, tokens: 245, errors: 5, malformed: 0, batchSize: 40 });
    // The reader batches by the tokenizer's size, the last batch short.
    expect(tokenizer.batches).toEqual([40, 40, 40, 40, 40, 40, 10]);
    expect(readFileSync(out)).toEqual(readFileSync(viaService));
    expect(existsSync(`${out}.progress`)).toBe(false);
  }, 60_000);

  it('when its connect() refuses, then the refusal comes through as it is and nothing is written', async () => {
    const out = join(dir, 'refused.csv');
    const tokenizer: BatchTokenizer = {
      connect: () => Promise.reject(new BulkError('the blinding key is not set')),
      tokenize: () => Promise.reject(new Error('never called')),
      retries: () => 0,
    };
    await expect(
      runBulk({ input, output: out, column: 3, delimiter: ',', header: true, resume: false, tokenizer }),
    ).rejects.toThrow(/^the blinding key is not set$/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.progress`)).toBe(false);
  });
});
