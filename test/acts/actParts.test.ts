/**
 * The small parts the acts are made of, in process: what an audit record says about an act
 * (src/acts/requests/actEntry.ts), the refusal of a one-way sector's token (oneWay.ts), a request
 * read before its act (readStored.ts), the refusal budget (refusalBudget.ts), the legal bases a
 * regulator may cite (listLegalBases.ts), a client's own limits (src/acts/ownLimits.ts) and the
 * record of an unauthenticated refusal (src/acts/audit/recordRefusal.ts).
 */
import type { Principal } from '../../src/access/apiKeys.js';
import { recordRefusal } from '../../src/acts/audit/recordRefusal.js';
import { ownLimits } from '../../src/acts/ownLimits.js';
import { actEntry, basisForAudit, requestEntry, UNKNOWN_BASIS } from '../../src/acts/requests/actEntry.js';
import { listLegalBases } from '../../src/acts/requests/listLegalBases.js';
import { refuseOneWay } from '../../src/acts/requests/oneWay.js';
import { readStored } from '../../src/acts/requests/readStored.js';
import { translate } from '../../src/acts/requests/translate.js';
import { withinRefusalBudget } from '../../src/acts/requests/refusalBudget.js';
import { refusalRecorder } from '../../src/audit/writer/refusals.js';
import { parseConfig, type Config } from '../../src/config/schema.js';
import { MALFORMED } from '../../src/audit/writer/tokenForAudit.js';
import { memoryRequestStore } from '../../src/dualControl/requestStore.js';
import { createTokenizer } from '../../src/derivation/tokenizer.js';
import { SectokenError } from '../../src/errors.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { createRateLimits, type Window } from '../../src/limits/rateLimits.js';
import { devConfig, SAMPLE_CNDP_BASIS } from '../helpers/service.js';
import { healthToken, recordingAudit, regulatorDeps, reverseRequest, T0 } from './inProcess.js';

const configWith = (rateLimits: Record<string, unknown> = { defaults: {}, clients: {} }): Config =>
  parseConfig({ ...devConfig(), rateLimits }, 'sample');
const config = configWith();
const tokenizer = createTokenizer(config, generateKeyring(Object.keys(config.sectors), false));
const deps = { tokenizer: () => tokenizer, config };

const amina: Principal = {
  id: 'regulator-cndp',
  role: 'regulator',
  sectors: new Set(['health', 'tax', 'social', 'finance', 'telecom']),
  person: 'Amina',
  organisation: 'CNDP',
};
const hospital: Principal = {
  id: 'hospital-backend',
  role: 'service',
  sectors: new Set(['health']),
  person: null,
  organisation: null,
};

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('actEntry and requestEntry: what the audit record of an act says', () => {
  const taxToken = tokenizer.tokenize('tax', 'AB123456').token;
  const financeToken = tokenizer.tokenize('finance', 'AB123456').token;
  const context = { caseId: 'C-7', purpose: 'an inquiry', legalBasis: 'LOI-09-08-ART-4' };

  it("records a regulator's act as asked: who, the sectors, the token in canonical form, the basis, case and purpose", () => {
    expect(
      actEntry(deps, amina, 'translate', {
        ...context,
        sector: 'finance',
        toSector: 'tax',
        token: financeToken.toLowerCase(),
      }),
    ).toEqual({
      act: 'translate',
      client: 'regulator-cndp',
      person: 'Amina',
      organisation: 'CNDP',
      sector: 'finance',
      toSector: 'tax',
      token: financeToken,
      legalBasis: 'LOI-09-08-ART-4',
      caseId: 'C-7',
      purpose: 'an inquiry',
    });
  });

  it("records of anyone else neither case nor purpose, and a token only if it opens; a reverse's toSector is null", () => {
    const entry = actEntry(deps, hospital, 'reverse', { ...context, sector: 'tax', token: taxToken });
    expect(entry).toEqual({
      act: 'reverse',
      client: 'hospital-backend',
      person: null,
      organisation: null,
      sector: 'tax',
      toSector: null,
      token: taxToken,
      legalBasis: 'LOI-09-08-ART-4',
      caseId: null,
      purpose: null,
    });
    // Shaped like a tax token, but its check character fails: a regulator's is kept, anyone else's not.
    const last = taxToken.at(-1) === '0' ? '1' : '0';
    const mistyped = `${taxToken.slice(0, -1)}${last}`;
    expect(actEntry(deps, hospital, 'reverse', { ...context, sector: 'tax', token: mistyped }).token).toBe(MALFORMED);
    expect(actEntry(deps, amina, 'reverse', { ...context, sector: 'tax', token: mistyped }).token).toBe(mistyped);
  });

  it('records a basis by its configured id only: none for none or blank, "(unknown)" for any other', () => {
    expect(basisForAudit(config.legalBases, undefined)).toBeNull();
    expect(basisForAudit(config.legalBases, '')).toBeNull();
    expect(basisForAudit(config.legalBases, ' \t')).toBeNull();
    expect(basisForAudit(config.legalBases, 'CSS-FRAUD-2026')).toBe('CSS-FRAUD-2026');
    expect(basisForAudit(config.legalBases, 'AB123456')).toBe(UNKNOWN_BASIS);
    expect(UNKNOWN_BASIS).toBe('(unknown)');
    expect(
      actEntry(deps, amina, 'reverse', { ...context, legalBasis: ' ', sector: 'tax', token: taxToken }).legalBasis,
    ).toBeNull();
  });

  it('records an act on a request from the request as stored, and nothing of a request that could not be read', () => {
    const request = reverseRequest('r1', { state: 'pending', expiresAt: T0 + 1000, decidedBy: null });
    expect(requestEntry(tokenizer, 'approve', amina, 'r1', request)).toEqual({
      act: 'approve',
      client: 'regulator-cndp',
      person: 'Amina',
      organisation: 'CNDP',
      requestId: 'r1',
      sector: 'health',
      toSector: null,
      token: healthToken,
      legalBasis: 'CNDP-D-97-2020',
      caseId: 'C-1',
      purpose: 'p',
    });
    expect(requestEntry(tokenizer, 'expire', null, 'r2', undefined)).toEqual({
      act: 'expire',
      client: null,
      person: null,
      organisation: null,
      requestId: 'r2',
      sector: null,
      toSector: null,
      token: null,
      legalBasis: null,
      caseId: null,
      purpose: null,
    });
    const translation = { ...request, act: 'translate' as const, toSector: 'social' };
    expect(requestEntry(tokenizer, 'release', amina, 'r1', translation).toSector).toBe('social');
  });
});

describe("refuseOneWay: a one-way sector's token is neither reversed nor translated from", () => {
  const social = tokenizer.tokenize('social', 'AB123456').token;
  const input = (sector: string, token: string, legalBasis: string | undefined) => ({
    sector,
    token,
    legalBasis,
    touched: [sector] as [string],
  });

  it('refuses a well-formed one-way or blind token as not_reversible, a malformed one as invalid_token', () => {
    expect(codeOf(() => refuseOneWay(deps, amina, 'reverse', input('social', social, 'CNDP-D-97-2020')))).toBe(
      'not_reversible',
    );
    expect(codeOf(() => refuseOneWay(deps, amina, 'reverse', input('social', 'x', 'CNDP-D-97-2020')))).toBe(
      'invalid_token',
    );
    const civil = { ...amina, sectors: new Set(['civil']) };
    const civilToken = tokenizer.tokenize('civil', 'AB123456').token;
    expect(codeOf(() => refuseOneWay(deps, civil, 'reverse', input('civil', civilToken, 'CSS-FRAUD-2026')))).toBe(
      'not_reversible',
    );
    expect(codeOf(() => refuseOneWay(deps, civil, 'translate', input('civil', 'x', 'CSS-FRAUD-2026')))).toBe(
      'invalid_token',
    );
  });

  it('leaves to the act a reversible sector, an unknown sector, no basis or an unknown one', () => {
    expect(codeOf(() => refuseOneWay(deps, amina, 'reverse', input('tax', 'x', 'CNDP-D-97-2020')))).toBeUndefined();
    expect(codeOf(() => refuseOneWay(deps, amina, 'reverse', input('nowhere', 'x', 'CNDP-D-97-2020')))).toBeUndefined();
    expect(
      codeOf(() => refuseOneWay(deps, amina, 'reverse', input('toString', 'x', 'CNDP-D-97-2020'))),
    ).toBeUndefined();
    expect(codeOf(() => refuseOneWay(deps, amina, 'reverse', input('social', social, undefined)))).toBeUndefined();
    expect(
      codeOf(() => refuseOneWay(deps, amina, 'reverse', input('social', social, 'NO-SUCH-BASIS'))),
    ).toBeUndefined();
  });

  it('refuses a caller out of scope of the sectors touched as forbidden first', () => {
    const taxOnly = { ...amina, sectors: new Set(['tax']) };
    expect(codeOf(() => refuseOneWay(deps, taxOnly, 'reverse', input('social', social, 'CNDP-D-97-2020')))).toBe(
      'forbidden',
    );
    expect(
      codeOf(() =>
        refuseOneWay(deps, taxOnly, 'translate', {
          ...input('social', social, 'CSS-FRAUD-2026'),
          touched: ['tax', 'social'],
        }),
      ),
    ).toBe('forbidden');
    expect(codeOf(() => refuseOneWay(deps, hospital, 'reverse', input('social', social, 'CNDP-D-97-2020')))).toBe(
      'forbidden',
    );
  });
});

describe('readStored', () => {
  it('reads the request as stored, or undefined for an unknown one', async () => {
    const store = memoryRequestStore();
    const request = reverseRequest('r1', { state: 'pending', expiresAt: T0 + 1000, decidedBy: null });
    await store.create(request);
    const stored = await readStored({ requests: store }, 'r1');
    expect(stored.request).toEqual(request);
    expect(stored.read()).toEqual(request);
    const unknown = await readStored({ requests: store }, 'r2');
    expect(unknown.request).toBeUndefined();
    expect(unknown.read()).toBeUndefined();
  });

  it('keeps the error of a read that failed for the act to throw', async () => {
    const tampered = new SectokenError('request_tampered', 'the stored request fails its integrity check');
    const store = { ...memoryRequestStore(), get: () => Promise.reject(tampered) };
    const stored = await readStored({ requests: store }, 'r1');
    expect(stored.request).toBeUndefined();
    expect(() => stored.read()).toThrow(tampered);
  });
});

describe('withinRefusalBudget', () => {
  const budget = (refusal: Window[]) =>
    createRateLimits(configWith({ defaults: { refusal }, clients: {} }), undefined, () => undefined);

  it('gives back the point of an act that answered', async () => {
    const limits = budget([{ points: 1, perSeconds: 3600 }]);
    for (let i = 0; i < 3; i++) expect(await withinRefusalBudget(limits, amina, async () => i)).toBe(i);
  });

  it('keeps the point of an act that was refused, per client across sectors, and refuses the next before it runs', async () => {
    const limits = budget([{ points: 2, perSeconds: 3600 }]);
    const refused = new SectokenError('forbidden', 'no');
    await expect(withinRefusalBudget(limits, amina, () => Promise.reject(refused))).rejects.toBe(refused);
    await expect(withinRefusalBudget(limits, amina, () => Promise.reject(refused))).rejects.toBe(refused);
    let ran = false;
    await expect(
      withinRefusalBudget(limits, amina, async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({
      code: 'rate_limited',
      message: 'too many refused requests from this client in this window; retry later',
    });
    expect(ran).toBe(false);
    // Another client has its own budget.
    expect(await withinRefusalBudget(limits, hospital, async () => 'ok')).toBe('ok');
  });
});

describe('listLegalBases', () => {
  it('shows a regulator each configured basis: id, title, reference, acts, sectors, pairs, dual control, the other organisation', () => {
    const { legalBases } = listLegalBases(config.legalBases, amina);
    expect(legalBases.map((b) => b.id)).toEqual(['CNDP-D-97-2020', 'LOI-09-08-ART-4', 'CSS-FRAUD-2026']);
    expect(legalBases[0]).toEqual(SAMPLE_CNDP_BASIS);
    const other = parseConfig(
      {
        ...devConfig(),
        legalBases: [
          { ...(devConfig().legalBases as object[])[1], approverFromOtherOrganisation: true, dualControl: true },
        ],
      },
      'sample',
    );
    expect(listLegalBases(other.legalBases, amina).legalBases[0]).toMatchObject({
      dualControl: true,
      approverFromOtherOrganisation: true,
    });
  });

  it('gives copies: the configuration cannot be changed through the answer', () => {
    const [first] = listLegalBases(config.legalBases, amina).legalBases;
    first!.acts.push('reverse');
    first!.sectors.push('social');
    first!.sectorPairs[0]![0] = 'social';
    expect(listLegalBases(config.legalBases, amina).legalBases[0]).toEqual(SAMPLE_CNDP_BASIS);
  });

  it('is for regulators only', () => {
    expect(codeOf(() => listLegalBases(config.legalBases, hospital))).toBe('forbidden');
  });
});

describe('ownLimits', () => {
  const limitsOf = (clients: Record<string, unknown>, identities: Window[] = []) =>
    createRateLimits(
      configWith({ defaults: identities.length ? { identities } : {}, clients }),
      undefined,
      () => undefined,
    );

  it("publishes the client's identities windows, and its batch size: the configured maximum or its smallest window", () => {
    const limits = limitsOf(
      {
        'hospital-backend': {
          identities: [
            { points: 50, perSeconds: 1 },
            { points: 20, perSeconds: 60 },
          ],
        },
      },
      [{ points: 200, perSeconds: 1 }],
    );
    expect(ownLimits({ limits, maxBatchSize: 1000 }, hospital)).toEqual({
      batchSize: 20,
      identities: [
        { points: 50, perSeconds: 1 },
        { points: 20, perSeconds: 60 },
      ],
    });
    expect(ownLimits({ limits, maxBatchSize: 10 }, hospital).batchSize).toBe(10);
    expect(ownLimits({ limits, maxBatchSize: 1000 }, amina)).toEqual({
      batchSize: 200,
      identities: [{ points: 200, perSeconds: 1 }],
    });
  });

  it('without windows, the batch size is the configured maximum', () => {
    expect(ownLimits({ limits: limitsOf({}), maxBatchSize: 1000 }, hospital)).toEqual({
      batchSize: 1000,
      identities: [],
    });
  });
});

describe('recordRefusal', () => {
  it('records the refusal of an audited act, and nothing for a refusal of no audited act', async () => {
    const { audit, records } = recordingAudit();
    const refusals = refusalRecorder(audit);
    try {
      await recordRefusal({ refusals }, '192.0.2.7', undefined);
      expect(records).toEqual([]);
      await recordRefusal({ refusals }, '192.0.2.7', 'reverse');
      expect(records).toEqual([{ act: 'reverse', client: null, outcome: 'unauthenticated', count: 1 }]);
    } finally {
      await refusals.close();
    }
  });
});

describe('translate, in process: what other tests reach only through HTTP', () => {
  /** A translate of AB123456's token from `fromSector` to `toSector` under `legalBasis`. */
  const askOf = (
    regulators: ReturnType<typeof regulatorDeps>,
    fromSector: string,
    toSector: string,
    legalBasis: string,
  ) => ({
    fromSector,
    token: regulators.tokenizer().tokenize(fromSector, 'AB123456').token,
    toSector,
    legalBasis,
    caseId: 'C-1',
    purpose: 'p',
  });

  it("refuses one from a one-way sector to a sector out of the caller's scope as forbidden, before not_reversible", async () => {
    const regulators = regulatorDeps(recordingAudit().audit, memoryRequestStore());
    const ask = askOf(regulators, 'social', 'tax', 'CSS-FRAUD-2026');
    await expect(translate(regulators, { ...amina, sectors: new Set(['social']) }, ask)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(translate(regulators, amina, ask)).rejects.toMatchObject({ code: 'not_reversible' });
  });

  it("counts it on the client's translate windows, as one, even when it becomes a request", async () => {
    const limits = configWith({ defaults: { translate: [{ points: 1, perSeconds: 60 }] }, clients: {} });
    const regulators = {
      ...regulatorDeps(recordingAudit().audit, memoryRequestStore()),
      limits: createRateLimits(limits, undefined, () => undefined),
    };
    const ask = askOf(regulators, 'health', 'social', 'CNDP-D-97-2020');
    expect(await translate(regulators, amina, ask)).toMatchObject({ status: 'pending' });
    await expect(translate(regulators, amina, ask)).rejects.toMatchObject({
      code: 'rate_limited',
      message: 'too many translations for this client and sector in this window; retry later',
    });
  });
});
