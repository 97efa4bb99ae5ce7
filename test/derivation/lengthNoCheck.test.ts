/**
 * In a reversible sector without a check character nothing but the length tells a token with a
 * character added or removed from a real one: over HTTP, upgrade refuses both (invalid_token)
 * while the real token re-issues. Without the length check, the extra character would be ignored
 * and the token accepted.
 */
import { rmSync } from 'node:fs';
import request from 'supertest';
import { bearer, devConfig, startTestService, type TestService } from '../helpers/service.js';

function configWithLedger(): Record<string, unknown> {
  const config = devConfig() as {
    sectors: Record<string, unknown>;
    clients: { id: string; sectors: string[] }[];
  } & Record<string, unknown>;
  config.sectors.ledger = { policy: 'reversible', alphabet: 'digits', length: 11, checkCharacter: false };
  for (const client of config.clients) if (client.id === 'tax-backend') client.sectors.push('ledger');
  return { ...config, rateLimits: { defaults: {}, clients: {} } };
}

describe('token length in a sector without check character', () => {
  let service: TestService;
  beforeAll(() => {
    service = startTestService({ config: configWithLedger() });
  });
  afterAll(async () => {
    await service.close();
    rmSync(service.dir, { recursive: true, force: true });
  });

  it('when a token is one character longer or shorter, then upgrade answers invalid_token for it and re-issues the real one', async () => {
    const ids = ['AB123456', 'CD654321', 'Z1', 'QR999999'];
    const made = await request(service.app)
      .post('/v1/tokens/batch')
      .set('Authorization', bearer('tax-backend'))
      .send({ sector: 'ledger', nationalIds: ids });
    expect(made.status).toBe(200);
    const tokens = (made.body.results as { token: string }[]).map((r) => r.token);
    for (const token of tokens) expect(token).toMatch(/^1\d{10}$/);

    for (const token of tokens) {
      const variants = [token, `${token}0`, `${token}7`, token.slice(0, -1), `${token}${token}`];
      const res = await request(service.app)
        .post('/v1/tokens/upgrade')
        .set('Authorization', bearer('tax-backend'))
        .send({ sector: 'ledger', tokens: variants });
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toEqual({ token, keyVersion: 1 });
      expect(res.body.results.slice(1)).toEqual(variants.slice(1).map(() => ({ error: 'invalid_token' })));
    }
  });
});
