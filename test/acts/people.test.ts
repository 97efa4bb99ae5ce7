/**
 * Dual control binds people, not strings or keys, through HTTP on the running service:
 * - a request made by one spelling of a person is not approved by another spelling of that person
 *   (NFC/NFD, case, spacing, full-width letters), nor, under a basis that demands another
 *   organisation, by another spelling of the requester's organisation. The configuration refuses
 *   two spellings at once, so the request is made under one configuration and the approval tried
 *   under the next (a reload, as after `clients remove` and `clients add`);
 * - a regulator taken out of the configuration can, after one reload, neither decide what it could
 *   decide nor collect what it asked for (401); a client id given to another person does not
 *   inherit the requests made under it, while the same person under a new key still collects.
 */
import { writeFileSync } from 'node:fs';
import request from 'supertest';
import { hashApiKey, newApiKey } from '../../src/access/apiKeys.js';
import { bearer, devConfig, devKey, startTestService } from '../helpers/service.js';
import { spellingsOf } from '../helpers/spellings.js';
import { act, tokenOf } from './helpers.js';

type Raw = Record<string, any>;
const HELENE = 'Hélène Dupont';
const ORGANISATION = 'Contrôle des données';
const TWIN_KEY = newApiKey();
const NEW_KEY = newApiKey();

/** The sample without limits, its regulator-cndp being Hélène Dupont of the organisation above. */
function base(): Raw {
  const config = { ...devConfig(), rateLimits: { defaults: {}, clients: {} } } as Raw;
  Object.assign(
    config.clients.find((c: Raw) => c.id === 'regulator-cndp'),
    { person: HELENE, organisation: ORGANISATION },
  );
  return config;
}

/** `config` without the clients named, and with `added`. */
const withClients = (config: Raw, without: string[], ...added: Raw[]): Raw => ({
  ...config,
  clients: [...config.clients.filter((c: Raw) => !without.includes(c.id)), ...added],
});
const regulator = (id: string, key: string, person: string, organisation: string): Raw => ({
  id,
  role: 'regulator',
  sectors: ['health'],
  person,
  organisation,
  apiKeySha256: hashApiKey(key),
});

const service = startTestService({ config: base() });
const reloadWith = (config: Raw): void => {
  writeFileSync(service.settings.configPath, JSON.stringify(config));
  service.reload();
};

/** regulator-cndp asks to reverse a health token: dual control makes it a pending request. */
async function ask(nationalId: string): Promise<string> {
  const token = await tokenOf(service, 'health', nationalId);
  const res = await request(service.app)
    .post('/v1/reverse')
    .set('Authorization', bearer('regulator-cndp'))
    .send({ sector: 'health', token, legalBasis: 'CNDP-D-97-2020', ...act });
  expect(res.status).toBe(202);
  return res.body.requestId as string;
}

const approve = (key: string, id: string) =>
  request(service.app).post(`/v1/requests/${id}/approve`).set('Authorization', `Bearer ${key}`);
const read = (key: string, id: string) =>
  request(service.app).get(`/v1/requests/${id}`).set('Authorization', `Bearer ${key}`);

afterAll(() => service.close());

describe('another person, whatever the spelling', () => {
  afterEach(() => reloadWith(base()));

  it.each(spellingsOf(HELENE))(
    'when the approver is the requester typed %s, then approval is refused (403)',
    async (_how, typed) => {
      const id = await ask('AB123456');
      reloadWith(
        withClients(base(), ['regulator-cndp'], regulator('regulator-twin', TWIN_KEY, typed, 'Another office')),
      );
      const res = await approve(TWIN_KEY, id);
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([
        403,
        'forbidden',
        'a request is decided by a second person, not its requester',
      ]);
    },
  );

  it.each(spellingsOf(ORGANISATION))(
    "when the basis demands another organisation and the approver's is the requester's typed %s, then approval is refused (403)",
    async (_how, typed) => {
      const demanding = (config: Raw): Raw => ({
        ...config,
        legalBases: config.legalBases.map((b: Raw) =>
          b.id === 'CNDP-D-97-2020' ? { ...b, approverFromOtherOrganisation: true } : b,
        ),
      });
      reloadWith(demanding(base()));
      const id = await ask('K7');
      reloadWith(
        demanding(
          withClients(base(), ['regulator-cndp'], regulator('regulator-twin', TWIN_KEY, 'Someone Else', typed)),
        ),
      );
      const res = await approve(TWIN_KEY, id);
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([
        403,
        'forbidden',
        'this legal basis demands an approver from another organisation',
      ]);
    },
  );

  it('when the approver is truly another person of another organisation, then the same steps approve (200)', async () => {
    const id = await ask('M12');
    reloadWith(
      withClients(base(), ['regulator-cndp'], regulator('regulator-twin', TWIN_KEY, 'Helene Dupont', 'Another office')),
    );
    expect((await approve(TWIN_KEY, id)).status).toBe(200);
  });
});

describe('a regulator taken out of the configuration', () => {
  afterEach(() => reloadWith(base()));

  it('when the regulator who could approve is removed, then after one reload it can neither approve nor list (401)', async () => {
    const id = await ask('Z1');
    expect(
      (
        await request(service.app).get('/v1/requests?state=pending').set('Authorization', bearer('regulator-health'))
      ).body.requests.map((r: Raw) => r.requestId),
    ).toContain(id);
    reloadWith(withClients(base(), ['regulator-health']));
    expect((await approve(devKey('regulator-health'), id)).status).toBe(401);
    expect(
      (await request(service.app).get('/v1/requests?state=pending').set('Authorization', bearer('regulator-health')))
        .status,
    ).toBe(401);
  });

  it('when the requester is removed, then its key collects nothing; its id given to another person inherits nothing; the same person under a new key collects', async () => {
    const id = await ask('Z2');
    expect((await approve(devKey('regulator-health'), id)).status).toBe(200);

    const otherPerson = regulator('regulator-cndp', NEW_KEY, 'Someone Else', ORGANISATION);
    reloadWith(withClients(base(), ['regulator-cndp'], otherPerson));
    expect((await read(devKey('regulator-cndp'), id)).status).toBe(401);
    const stranger = await read(NEW_KEY, id);
    expect(stranger.status).toBe(200);
    expect(stranger.body).toMatchObject({ requestId: id, state: 'approved', mine: false });
    expect(stranger.body.nationalId).toBeUndefined();

    const samePerson = regulator('regulator-cndp', NEW_KEY, HELENE.normalize('NFD').toUpperCase(), ORGANISATION);
    reloadWith(withClients(base(), ['regulator-cndp'], samePerson));
    const collected = await read(NEW_KEY, id);
    expect(collected.status).toBe(200);
    expect(collected.body).toMatchObject({ requestId: id, status: 'released', nationalId: 'Z2' });
  });
});
