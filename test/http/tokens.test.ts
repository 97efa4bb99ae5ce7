/**
 * POST /v1/tokens and /v1/tokens/batch through the real service (real keyring, dev configuration):
 * token shapes per sector, determinism (repeat, restart, same keyring), sector separation,
 * canonicalization, batch order and per-item errors, batch limits.
 */
import request from 'supertest';
import { rmSync } from 'node:fs';
import type { Express } from 'express';
import { createLogger } from '../../src/log.js';
import { createService } from '../../src/service.js';
import { ALPHABETS, type AlphabetName } from '../../src/derivation/alphabet.js';
import { hasValidCheck } from '../../src/derivation/checkCharacter.js';
import { bearer, devConfig, listening, startTestService, type TestService } from '../helpers/service.js';

interface SectorSettings {
  policy: 'reversible' | 'one-way' | 'blind';
  alphabet: AlphabetName;
  length: number;
  checkCharacter: boolean;
}
interface ClientSettings {
  id: string;
  role: string;
  sectors: string[];
}
const config = devConfig() as {
  sectors: Record<string, SectorSettings>;
  clients: ClientSettings[];
  limits: { maxBatchSize: number; maxBodyBytes: number };
};
// Blind sectors refuse national IDs (policy_mismatch): their backends blind them (test/blind/).
const SECTORS = Object.entries(config.sectors).filter(([, s]) => s.policy !== 'blind');
const SECTOR_IDS = SECTORS.map(([id]) => id);

/** The first service client of the dev configuration allowed in a sector. */
function serviceClientOf(sector: string): string {
  const client = config.clients.find((c) => c.role === 'service' && c.sectors.includes(sector));
  if (!client) throw new Error(`the dev configuration has no service client for ${sector}`);
  return client.id;
}

const tokenize = (app: Express, sector: string, nationalId: unknown, client = serviceClientOf(sector)) =>
  request(app).post('/v1/tokens').set('Authorization', bearer(client)).send({ sector, nationalId });

const tokenizeBatch = (app: Express, sector: string, nationalIds: unknown[], client = serviceClientOf(sector)) =>
  request(app).post('/v1/tokens/batch').set('Authorization', bearer(client)).send({ sector, nationalIds });

/** A token of this sector's format: alphabet, length, version character and check character. */
function expectTokenFormat(token: unknown, settings: SectorSettings, keyVersion: number): void {
  expect(typeof token).toBe('string');
  const text = token as string;
  const { symbols, radix } = ALPHABETS[settings.alphabet];
  expect(text).toHaveLength(settings.length);
  const numerals = [...text].map((c) => symbols.indexOf(c));
  expect(numerals.every((n) => n >= 0)).toBe(true);
  // DERIVATION.md §4: the first character says which key version made the token.
  expect(numerals[0]).toBe(keyVersion % radix);
  if (settings.checkCharacter) expect(hasValidCheck(numerals, radix)).toBe(true);
}

const PEOPLE = ['AB123456', 'A0', 'Z999999', 'ZZ000000', 'K1', 'QX482913', 'A01', 'A1'];

let service: TestService;
afterAll(() => rmSync(service.dir, { recursive: true, force: true }));
beforeAll(() => {
  service = startTestService();
});

describe('POST /v1/tokens', () => {
  describe.each(SECTORS)('in sector %s', (sector, settings) => {
    it('when its service client asks for a token, then the answer is exactly {sector, token, keyVersion, schemeVersion} in the sector format', async () => {
      for (const nationalId of PEOPLE) {
        const res = await tokenize(service.app, sector, nationalId);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(Object.keys(res.body).sort()).toEqual(['keyVersion', 'schemeVersion', 'sector', 'token']);
        expect(res.body.sector).toBe(sector);
        expect(res.body.keyVersion).toBe(1);
        expect(res.body.schemeVersion).toBe(1);
        expectTokenFormat(res.body.token, settings, res.body.keyVersion as number);
      }
    });

    it('when the same request is made twice, then the same token comes back', async () => {
      const first = await tokenize(service.app, sector, 'AB123456');
      const second = await tokenize(service.app, sector, 'AB123456');
      expect(first.status).toBe(200);
      expect(second.body).toEqual(first.body);
    });

    it('when different people are tokenized, then their tokens differ', async () => {
      const tokens = new Set<string>();
      for (const nationalId of PEOPLE) {
        const res = await tokenize(service.app, sector, nationalId);
        expect(res.status).toBe(200);
        tokens.add(res.body.token as string);
      }
      // 'A01' and 'A1' are different people (leading zeros are significant).
      expect(tokens.size).toBe(PEOPLE.length);
    });
  });

  it('when the service is restarted on the same keyring and settings, then every sector gives the same tokens', async () => {
    // Its own instance id: the running one holds the chain of test-instance (one writer per chain).
    const restarted = createService({ ...service.settings, instanceId: 'restarted' }, createLogger('silent'));
    for (const sector of SECTOR_IDS) {
      for (const nationalId of ['AB123456', 'Z9']) {
        const before = await tokenize(service.app, sector, nationalId);
        const after = await tokenize(restarted.app, sector, nationalId);
        expect(before.status).toBe(200);
        expect(after.status).toBe(200);
        expect(after.body).toEqual(before.body);
      }
    }
  });

  it('when another instance runs on a different keyring, then its tokens differ (tokens depend on the keys)', async () => {
    const other = startTestService();
    try {
      for (const sector of SECTOR_IDS) {
        const mine = await tokenize(service.app, sector, 'AB123456');
        const theirs = await tokenize(other.app, sector, 'AB123456');
        expect(theirs.status).toBe(200);
        expect(theirs.body.token).not.toBe(mine.body.token);
      }
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('when one person is tokenized in every sector, then the tokens are unrelated', async () => {
    for (const nationalId of ['AB123456', 'K1']) {
      const tokens: string[] = [];
      for (const sector of SECTOR_IDS) {
        const res = await tokenize(service.app, sector, nationalId);
        expect(res.status).toBe(200);
        tokens.push(res.body.token as string);
      }
      expect(new Set(tokens).size).toBe(tokens.length);
      // No sector's token body (without its version and check characters) shows up inside another's.
      for (const [i, a] of tokens.entries()) {
        for (const [j, b] of tokens.entries()) {
          if (i !== j) expect(b.includes(a.slice(1, -1))).toBe(false);
        }
      }
    }
  });

  it('when one client of two sectors asks for both, then it gets two different tokens of the same person', async () => {
    const finance = await tokenize(service.app, 'finance', 'AB123456', 'bank-backend');
    const telecom = await tokenize(service.app, 'telecom', 'AB123456', 'bank-backend');
    expect(finance.status).toBe(200);
    expect(telecom.status).toBe(200);
    expect(finance.body.sector).toBe('finance');
    expect(telecom.body.sector).toBe('telecom');
    expect(finance.body.token).not.toBe(telecom.body.token);
  });

  it.each([' ab123456 ', 'ab123456', 'Ab123456', 'aB123456', '\tAB123456\n', '  AB123456', '\v\f\rab123456\r\n'])(
    'when the national ID is written %j, then it is canonicalized to AB123456',
    async (written) => {
      const canonical = await tokenize(service.app, 'health', 'AB123456');
      const res = await tokenize(service.app, 'health', written);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(canonical.body);
    },
  );

  it('when two national IDs differ only by leading zeros, then they are different people', async () => {
    const a = await tokenize(service.app, 'tax', 'A01');
    const b = await tokenize(service.app, 'tax', 'A1');
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.token).not.toBe(b.body.token);
  });
});

describe('POST /v1/tokens, many at once', () => {
  it('when single requests of every sector arrive together (derived together), then each gets the token a batch gives that person', async () => {
    const server = await listening(service.app);
    try {
      const asked = SECTOR_IDS.flatMap((sector) => PEOPLE.map((id) => [sector, id] as const));
      const answers = await Promise.all(
        asked.map(async ([sector, nationalId]) => {
          const res = await fetch(`${server.url}/v1/tokens`, {
            method: 'POST',
            headers: { authorization: bearer(serviceClientOf(sector)), 'content-type': 'application/json' },
            body: JSON.stringify({ sector, nationalId }),
          });
          return { status: res.status, body: (await res.json()) as { sector: string; token: string } };
        }),
      );
      for (const sector of SECTOR_IDS) {
        const batch = await tokenizeBatch(service.app, sector, PEOPLE);
        const mine = answers.filter((_a, k) => asked[k]![0] === sector);
        expect(mine.map((a) => a.status)).toEqual(PEOPLE.map(() => 200));
        expect(mine.map((a) => a.body.sector)).toEqual(PEOPLE.map(() => sector));
        expect(mine.map((a) => a.body.token)).toEqual(
          (batch.body as { results: Array<{ token: string }> }).results.map((r) => r.token),
        );
      }
    } finally {
      await server.close();
    }
  });
});

describe('POST /v1/tokens/batch', () => {
  const INPUT = ['AB123456', 'not-an-id', ' zz000000 ', '', 'A0', 'ABC123', 'AB123456', 'A1234567', 'K1'];
  const INVALID = new Set([1, 3, 5, 7]);

  it.each(SECTOR_IDS)(
    'when a batch mixes valid and invalid IDs in %s, then results are in input order, equal to single tokens, with per-item invalid_national_id',
    async (sector) => {
      const res = await tokenizeBatch(service.app, sector, INPUT);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['keyVersion', 'results', 'schemeVersion', 'sector']);
      expect(res.body.sector).toBe(sector);
      expect(res.body.keyVersion).toBe(1);
      expect(res.body.schemeVersion).toBe(1);
      const results = res.body.results as unknown[];
      expect(results).toHaveLength(INPUT.length);
      for (const [i, nationalId] of INPUT.entries()) {
        if (INVALID.has(i)) {
          expect(results[i]).toEqual({ error: 'invalid_national_id' });
        } else {
          const single = await tokenize(service.app, sector, nationalId);
          expect(single.status).toBe(200);
          expect(results[i]).toEqual({ token: single.body.token });
          expectTokenFormat((results[i] as { token: string }).token, config.sectors[sector]!, 1);
        }
      }
      // The same person twice in one batch: the same token at both places.
      expect(results[6]).toEqual(results[0]);
    },
  );

  it('when a batch holds only invalid IDs, then it still answers 200 with an error per item', async () => {
    const res = await tokenizeBatch(service.app, 'health', ['x', '1', 'ABC']);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { error: 'invalid_national_id' },
      { error: 'invalid_national_id' },
      { error: 'invalid_national_id' },
    ]);
  });

  it('when a batch holds exactly limits.maxBatchSize IDs, then every one gets its token in order', async () => {
    const max = config.limits.maxBatchSize;
    expect(max).toBe(1000);
    const ids = Array.from({ length: max }, (_, i) => `AB${String(i).padStart(6, '0')}`);
    const res = await tokenizeBatch(service.app, 'finance', ids);
    expect(res.status).toBe(200);
    const results = res.body.results as Array<{ token?: string }>;
    expect(results).toHaveLength(max);
    expect(new Set(results.map((r) => r.token)).size).toBe(max);
    for (const i of [0, 1, 499, max - 1]) {
      const single = await tokenize(service.app, 'finance', ids[i]);
      expect(results[i]).toEqual({ token: single.body.token });
    }
  });

  it('when a batch holds limits.maxBatchSize + 1 IDs, then it is refused with 413 payload_too_large', async () => {
    const ids = Array.from({ length: config.limits.maxBatchSize + 1 }, () => 'AB123456');
    const res = await tokenizeBatch(service.app, 'health', ids);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    expect(res.text).not.toContain('AB123456');
  });
});
