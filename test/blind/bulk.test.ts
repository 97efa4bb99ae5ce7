/**
 * `sectoken bulk --blind`: a register onboarded into the blind sector `civil` through the client
 * library, against a `sectoken serve` process. Its tokens are the ones the library gets for the
 * same people, and the ones a regulator's translation into the sector computes on the server.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blindTokens } from '../../src/client/blind.js';
import { NATIONAL_ID_COUNT, unrankNationalId } from '../../src/derivation/nationalId.js';
import { devKeyring } from '../helpers/devKeyring.js';
import { runCli, startServer, stopServer } from '../helpers/cli.js';
import { BLIND_BASIS, blindConfig } from './fixture.js';

const PEOPLE = Array.from({ length: 1200 }, (_, i) => unrankNationalId((i * 649_999_351 + 11) % NATIONAL_ID_COUNT));
const dir = mkdtempSync(join(tmpdir(), 'sectoken-blind-bulk-'));
const configPath = join(dir, 'config.json');
writeFileSync(configPath, JSON.stringify(blindConfig()));
const keyringPath = join(dir, 'dev-keyring.json');
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  devKeyring(keyringPath, configPath);
  server = await startServer({ SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: keyringPath });
});
afterAll(async () => {
  await stopServer(server.child);
  rmSync(dir, { recursive: true, force: true });
});

const registry = { SECTOKEN_API_KEY: 'stk_dev_registry-backend' };

it('bulk --blind onboards a register: the tokens of the library and of translation, the ID never sent', async () => {
  const input = join(dir, 'register.csv');
  writeFileSync(input, 'name,id\n' + PEOPLE.map((id, i) => `person ${i},${id}`).join('\n') + '\nnobody,not-an-id\n');
  const output = join(dir, 'tokens.csv');
  const publicKey = runCli(['keys', 'blind-public-key', '--sector', 'civil'], {
    SECTOKEN_CONFIG: configPath,
    SECTOKEN_KEYRING: keyringPath,
  }).stdout.trim();
  const args = ['bulk', '--blind', '--public-key', publicKey, '--url', server.url, '--sector', 'civil'];
  const run = runCli(
    [...args, '--in', input, '--out', output, '--column', '2', '--header', '--batch-size', '400'],
    registry,
  );
  expect(run.stderr).toContain('bulk: done');
  expect(run.status).toBe(2); // one row has no token

  const rows = readFileSync(output, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  expect(rows).toHaveLength(PEOPLE.length + 1);
  expect(rows.at(-1)!.slice(-2)).toEqual(['', 'invalid_national_id']);
  const tokens = rows.slice(0, -1).map((r) => r.at(-2)!);
  expect(rows.slice(0, -1).map((r) => r[1])).toEqual(PEOPLE);

  const library = await blindTokens(
    { url: server.url, apiKey: registry.SECTOKEN_API_KEY, sector: 'civil', batchSize: 600 },
    PEOPLE,
  );
  expect(library.map((r) => (r as { token: string }).token)).toEqual(tokens);

  for (const i of [0, 599, 1199]) {
    const post = async (path: string, client: string, body: unknown) =>
      (await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer stk_dev_${client}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json())) as { token: string };
    const tax = await post('/v1/tokens', 'tax-backend', { sector: 'tax', nationalId: PEOPLE[i] });
    const translated = await post('/v1/translate', 'regulator-cndp', {
      fromSector: 'tax',
      token: tax.token,
      toSector: 'civil',
      legalBasis: BLIND_BASIS,
      caseId: 'CASE-BULK',
      purpose: 'Blind bulk test',
    });
    expect(translated.token).toBe(tokens[i]);
  }
});

it('bulk without --blind on a blind sector says, in one line, to add it', () => {
  const input = join(dir, 'one.csv');
  writeFileSync(input, 'K1\n');
  const run = runCli(
    ['bulk', '--url', server.url, '--sector', 'civil', '--in', input, '--out', join(dir, 'one-out.csv')],
    registry,
  );
  expect(run.status).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain('add --blind');
});
