/**
 * src/dualControl/policy.ts at its edges: when an act needs a second pair of eyes (the basis,
 * or any sector it touches, the second one too), who the accountable person is, which sectors a
 * request concerns, and who may decide it (a regulator in scope of *every* sector, another person,
 * and another organisation exactly where the basis says so).
 */
import type { Principal } from '../../src/access/apiKeys.js';
import type { Config, LegalBasis } from '../../src/config/schema.js';
import {
  actorOf,
  cannotDecide,
  demandsDualControl,
  isRequester,
  requireDecider,
  sectorsOf,
} from '../../src/dualControl/policy.js';
import type { ActRequest } from '../../src/dualControl/requestLife.js';

const basis = (id: string, over: Partial<LegalBasis> = {}): LegalBasis => ({
  id,
  title: id,
  reference: id,
  acts: ['reverse', 'translate'],
  sectors: ['health', 'tax'],
  sectorPairs: [['tax', 'health']],
  dualControl: false,
  approverFromOtherOrganisation: false,
  ...over,
});

const SECTORS = {
  health: { dualControl: true },
  tax: { dualControl: false },
  social: {},
} as unknown as Config['sectors'];

const regulator = (
  id: string,
  person: string | null,
  organisation: string | null,
  sectors = ['health', 'tax'],
): Principal => ({
  id,
  role: 'regulator',
  sectors: new Set(sectors),
  person,
  organisation,
});

const request = (over: Partial<ActRequest> = {}): ActRequest => ({
  id: 'r'.repeat(22),
  act: 'reverse',
  sector: 'tax',
  toSector: null,
  token: '1234',
  legalBasis: 'PLAIN',
  caseId: 'C-1',
  purpose: 'p',
  requester: { client: 'reg-a', person: 'Amina', organisation: 'CNDP' },
  createdAt: 0,
  expiresAt: 1000,
  state: 'pending',
  decidedBy: null,
  ...over,
});

const deps = {
  config: {
    legalBases: [basis('PLAIN'), basis('OTHER-ORG', { dualControl: true, approverFromOtherOrganisation: true })],
  },
};

describe('demandsDualControl', () => {
  it('is demanded by the basis, or by any touched sector that demands it', () => {
    expect(demandsDualControl(SECTORS, basis('B', { dualControl: true }), ['tax'])).toBe(true);
    expect(demandsDualControl(SECTORS, basis('B'), ['tax'])).toBe(false);
    expect(demandsDualControl(SECTORS, basis('B'), ['health'])).toBe(true);
    expect(demandsDualControl(SECTORS, basis('B'), ['tax', 'health'])).toBe(true);
    expect(demandsDualControl(SECTORS, basis('B'), ['tax', 'social'])).toBe(false);
    expect(demandsDualControl(SECTORS, basis('B'), ['unknown'])).toBe(false);
    expect(demandsDualControl(SECTORS, basis('B'), [])).toBe(false);
  });
});

describe('actorOf and sectorsOf', () => {
  it('names the person and organisation, or the client where configuration gave none', () => {
    expect(actorOf(regulator('reg-a', 'Amina', 'CNDP'))).toEqual({
      client: 'reg-a',
      person: 'Amina',
      organisation: 'CNDP',
    });
    expect(actorOf(regulator('reg-a', null, null))).toEqual({
      client: 'reg-a',
      person: 'reg-a',
      organisation: 'reg-a',
    });
  });

  it('a reverse concerns its sector; a translate both, source first', () => {
    expect(sectorsOf(request())).toEqual(['tax']);
    expect(sectorsOf(request({ act: 'translate', sector: 'tax', toSector: 'health' }))).toEqual(['tax', 'health']);
  });
});

describe('isRequester', () => {
  it('is the same client and the same person, compared canonically', () => {
    expect(isRequester(regulator('reg-a', 'Amina', 'CNDP'), request())).toBe(true);
    expect(isRequester(regulator('reg-a', 'AMINA', 'CNDP'), request())).toBe(true);
    // A client id given again to someone else does not inherit the requests; nor does another client of the same person.
    expect(isRequester(regulator('reg-a', 'Karim', 'CNDP'), request())).toBe(false);
    expect(isRequester(regulator('reg-a2', 'Amina', 'CNDP'), request())).toBe(false);
  });
});

describe('cannotDecide and requireDecider', () => {
  const check = (principal: Principal, r: ActRequest): string | undefined => cannotDecide(deps, principal, r);

  it('lets another regulator in scope decide', () => {
    expect(check(regulator('reg-b', 'Youssef', 'CNDP'), request())).toBeUndefined();
    expect(() => requireDecider(deps, regulator('reg-b', 'Youssef', 'CNDP'), request())).not.toThrow();
  });

  it('refuses a client that is not a regulator, or out of scope of any sector of the request, the target of a translate too', () => {
    const why = 'this client may not decide requests in these sectors';
    expect(check({ ...regulator('svc', 'X', 'Y'), role: 'service' }, request())).toBe(why);
    expect(check(regulator('reg-b', 'Youssef', 'CNDP', ['health']), request())).toBe(why);
    const translate = request({ act: 'translate', sector: 'tax', toSector: 'health' });
    expect(check(regulator('reg-b', 'Youssef', 'CNDP', ['tax']), translate)).toBe(why);
    expect(check(regulator('reg-b', 'Youssef', 'CNDP', ['health']), translate)).toBe(why);
    expect(check(regulator('reg-b', 'Youssef', 'CNDP', ['tax', 'health']), translate)).toBeUndefined();
  });

  it("refuses the requester's own person, under another client too", () => {
    expect(check(regulator('reg-a2', 'Amina', 'Elsewhere'), request())).toBe(
      'a request is decided by a second person, not its requester',
    );
    expect(check(regulator('reg-a2', 'AMINA', 'Elsewhere'), request())).toBe(
      'a request is decided by a second person, not its requester',
    );
  });

  it('demands another organisation only where the basis says so', () => {
    const why = 'this legal basis demands an approver from another organisation';
    expect(check(regulator('reg-b', 'Youssef', 'CNDP'), request({ legalBasis: 'OTHER-ORG' }))).toBe(why);
    expect(check(regulator('reg-b', 'Youssef', 'cndp'), request({ legalBasis: 'OTHER-ORG' }))).toBe(why);
    expect(check(regulator('reg-b', 'Youssef', 'Health'), request({ legalBasis: 'OTHER-ORG' }))).toBeUndefined();
    expect(check(regulator('reg-b', 'Youssef', 'CNDP'), request({ legalBasis: 'PLAIN' }))).toBeUndefined();
    // A basis no longer configured demands nothing more (the request was checked when it was made).
    expect(check(regulator('reg-b', 'Youssef', 'CNDP'), request({ legalBasis: 'GONE' }))).toBeUndefined();
  });

  it('requireDecider throws forbidden with the reason', () => {
    expect(() => requireDecider(deps, regulator('reg-a2', 'Amina', 'X'), request())).toThrow(
      expect.objectContaining({
        code: 'forbidden',
        message: 'a request is decided by a second person, not its requester',
      }),
    );
  });
});
