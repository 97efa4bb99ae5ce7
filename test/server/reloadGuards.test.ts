/**
 * What a reload (service.reload(), which SIGHUP calls) keeps and refuses, through HTTP on the
 * running service: a reload hands out no fresh quota, yet takes a changed window; it refuses a
 * keyring other than the running one, and a missing keyring, creating nothing; a refused reload
 * leaves the configuration in force, even when the configuration part of it was good.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { generateKeyring } from '../../src/keys/keyring.js';
import { saveKeyring } from '../../src/keys/store.js';
import { bearer, devConfig, startTestService } from '../helpers/service.js';

type Raw = Record<string, any>;
const limited = (points: number): Raw => ({
  ...devConfig(),
  rateLimits: { defaults: { identities: [{ points, perSeconds: 3600 }] }, clients: {} },
});

const service = startTestService({ config: limited(3) });
afterAll(() => service.close());

const tokenize = (nationalId: string) =>
  request(service.app)
    .post('/v1/tokens')
    .set('Authorization', bearer('tax-backend'))
    .send({ sector: 'tax', nationalId });
const reloadWith = (config: Raw): string[] => {
  writeFileSync(service.settings.configPath, JSON.stringify(config));
  return service.reload();
};

describe('a reload and the rate limits', () => {
  it('when a quota is spent, then a reload with the same windows does not refill it; a reload with a larger window counts afresh', async () => {
    for (const id of ['RL1', 'RL2', 'RL3']) expect((await tokenize(id)).status).toBe(200);
    expect((await tokenize('RL4')).status).toBe(429);
    reloadWith(limited(3));
    expect((await tokenize('RL5')).status).toBe(429);
    reloadWith(limited(5));
    expect((await tokenize('RL6')).status).toBe(200);
  });
});

describe('a reload and the keyring', () => {
  const keyringPath = (): string => service.settings.keyringPath;
  const kek = (): Uint8Array => new Uint8Array(Buffer.from(service.settings.kek!, 'hex'));

  it('when the keyring file is another keyring, then the reload is refused and tokens do not change', async () => {
    const before = (await tokenize('AB123456')).body.token as string;
    const original = readFileSync(keyringPath());
    saveKeyring(keyringPath(), generateKeyring(Object.keys(devConfig().sectors as object), false), kek());
    try {
      expect(() => reloadWith(limited(100))).toThrow(
        /is another keyring \(fingerprint [0-9a-f]{32}\) than the one this process started with \([0-9a-f]{32}\): .* a new keyring needs a restart/,
      );
      expect((await tokenize('AB123456')).body.token).toBe(before);
    } finally {
      writeFileSync(keyringPath(), original);
    }
  });

  it('when the keyring file is missing, then the reload is refused, makes no keyring, and the good configuration beside it is not taken either', async () => {
    const original = readFileSync(keyringPath());
    rmSync(keyringPath());
    try {
      const withoutTax = {
        ...limited(100),
        clients: (devConfig().clients as Raw[]).filter((c) => c.id !== 'tax-backend'),
      };
      expect(() => reloadWith(withoutTax)).toThrow(/keyring\.json is missing: a reload never makes keys/);
      expect(existsSync(keyringPath())).toBe(false);
      expect((await tokenize('AB123456')).status).not.toBe(401); // tax-backend, dropped by the refused configuration, still authenticates
    } finally {
      writeFileSync(keyringPath(), original);
    }
  });
});
