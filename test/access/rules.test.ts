/**
 * The access rules of src/access/rules.ts, row by row (docs/MUTATION.md): every action × every
 * role, the sector scope of each action (every sector of an act, not only the first), and the
 * refusal authorize() throws. The table below is written from README "Clients, roles and
 * scopes", not copied from the code.
 */
import { authorize, authorizeRole, isAllowed, type Action, type ScopedAction } from '../../src/access/rules.js';
import type { Principal } from '../../src/access/apiKeys.js';
import { ROLES, type Role } from '../../src/config/schema.js';
import { SectokenError } from '../../src/errors.js';

const EXPECTED: Record<Action, { roles: Role[]; scoped: boolean }> = {
  tokenize: { roles: ['service'], scoped: true },
  upgrade: { roles: ['service'], scoped: true },
  reverse: { roles: ['regulator'], scoped: true },
  translate: { roles: ['regulator'], scoped: true },
  decide: { roles: ['regulator'], scoped: true },
  'read-requests': { roles: ['regulator'], scoped: true },
  'read-legal-bases': { roles: ['regulator'], scoped: false },
  'read-audit': { roles: ['auditor'], scoped: false },
  'read-metrics': { roles: ['operator'], scoped: false },
  'read-self': { roles: ['service', 'regulator', 'auditor', 'operator'], scoped: false },
  'read-public-keys': { roles: ['service', 'regulator', 'auditor', 'operator'], scoped: false },
};
const ACTIONS = Object.keys(EXPECTED) as Action[];
const isScoped = (action: Action): action is ScopedAction => EXPECTED[action].scoped;

const principal = (role: Role, sectors: string[] = ['health', 'tax']): Principal => ({
  id: `${role}-client`,
  role,
  sectors: new Set(sectors),
  person: null,
  organisation: null,
});

describe('access rules', () => {
  it.each(ACTIONS.map((a) => [a]))('%s: exactly its roles, in scope', (action) => {
    const allowed = ROLES.filter((role) => isAllowed(principal(role), action, ['health']));
    expect(allowed).toEqual(EXPECTED[action].roles);
  });

  it.each(ACTIONS.map((a) => [a]))(
    '%s: without sectors named, an unscoped action allows its roles; a scoped one nobody, but its role check does',
    (action) => {
      for (const role of ROLES) {
        const mayAct = EXPECTED[action].roles.includes(role);
        expect([role, isAllowed(principal(role, []), action, [])]).toEqual([role, mayAct && !EXPECTED[action].scoped]);
        const check = (): void =>
          isScoped(action) ? authorizeRole(principal(role, []), action) : authorize(principal(role, []), action);
        if (mayAct) expect(check).not.toThrow();
        else expect(check).toThrow(SectokenError);
      }
    },
  );

  it.each(ACTIONS.map((a) => [a]))(
    '%s: the sector scope holds for every sector named, the second and the last too',
    (action) => {
      const role = EXPECTED[action].roles[0]!;
      const p = principal(role);
      expect(isAllowed(p, action, ['health', 'tax'])).toBe(true);
      for (const sectors of [['social'], ['health', 'social'], ['social', 'health'], ['health', 'tax', 'social']]) {
        expect([sectors, isAllowed(p, action, sectors)]).toEqual([sectors, !EXPECTED[action].scoped]);
      }
    },
  );

  it('authorize refuses with forbidden and says why, and lets an allowed act through', () => {
    expect(() => authorize(principal('service'), 'tokenize', ['health'])).not.toThrow();
    expect(() => authorize(principal('service'), 'tokenize', ['health', 'tax'])).not.toThrow();
    for (const [p, action, sectors] of [
      [principal('service'), 'tokenize', ['social']],
      [principal('service'), 'tokenize', ['health', 'social']],
      [principal('auditor'), 'tokenize', ['health']],
    ] as const) {
      let thrown: unknown;
      try {
        authorize(p, action, sectors);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(SectokenError);
      expect(thrown).toMatchObject({ code: 'forbidden', message: 'this client may not do that in that sector' });
    }
    expect(() => authorize(principal('service'), 'read-audit')).toThrow(SectokenError);
  });
});
