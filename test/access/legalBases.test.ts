/**
 * requireLegalBasis (src/access/legalBases.ts), edge by edge: a missing or blank basis, an unknown
 * one, one that does not allow the act, a reverse outside its sectors, and a translate whose pair
 * differs in its source, its target or its order. The basis returned is the configured one.
 */
import { requireLegalBasis } from '../../src/access/legalBases.js';
import type { LegalBasis } from '../../src/config/schema.js';
import { codeOf } from '../helpers/codeOf.js';

const basis = (id: string, over: Partial<LegalBasis>): LegalBasis => ({
  id,
  title: id,
  reference: id,
  acts: ['reverse', 'translate'],
  sectors: [],
  sectorPairs: [],
  dualControl: false,
  approverFromOtherOrganisation: false,
  ...over,
});

const BASES = [
  basis('REVERSE-ONLY', { acts: ['reverse'], sectors: ['health', 'tax'], sectorPairs: [['tax', 'finance']] }),
  basis('TRANSLATE-ONLY', { acts: ['translate'], sectors: ['social'], sectorPairs: [['tax', 'finance']] }),
  basis('BOTH', {
    sectors: ['finance'],
    sectorPairs: [
      ['health', 'social'],
      ['finance', 'tax'],
    ],
  }),
];

describe('requireLegalBasis', () => {
  it('requires a basis: none, empty and blank are legal_basis_required, with the field named', () => {
    for (const id of [undefined, '', '   ', '\t']) {
      expect(() => requireLegalBasis(BASES, id, { kind: 'reverse', sector: 'health' })).toThrow(
        expect.objectContaining({
          code: 'legal_basis_required',
          message: 'a reverse or translate names the legal basis it rests on (legalBasis)',
        }),
      );
    }
  });

  it('returns the configured basis that covers the act', () => {
    expect(requireLegalBasis(BASES, 'REVERSE-ONLY', { kind: 'reverse', sector: 'tax' })).toBe(BASES[0]);
    expect(requireLegalBasis(BASES, 'TRANSLATE-ONLY', { kind: 'translate', from: 'tax', to: 'finance' })).toBe(
      BASES[1],
    );
    expect(requireLegalBasis(BASES, 'BOTH', { kind: 'reverse', sector: 'finance' })).toBe(BASES[2]);
    // One of its pairs is enough.
    expect(requireLegalBasis(BASES, 'BOTH', { kind: 'translate', from: 'health', to: 'social' })).toBe(BASES[2]);
    expect(requireLegalBasis(BASES, 'BOTH', { kind: 'translate', from: 'finance', to: 'tax' })).toBe(BASES[2]);
  });

  it('refuses as forbidden an unknown basis, an act it does not allow, a sector or pair it does not cover', () => {
    const refused: [string, Parameters<typeof requireLegalBasis>[2]][] = [
      ['NO-SUCH-BASIS', { kind: 'reverse', sector: 'health' }],
      ['reverse-only', { kind: 'reverse', sector: 'health' }],
      // The act is not allowed, though the sector or pair would be covered.
      ['REVERSE-ONLY', { kind: 'translate', from: 'tax', to: 'finance' }],
      ['TRANSLATE-ONLY', { kind: 'reverse', sector: 'social' }],
      // Allowed act, uncovered sector or pair.
      ['REVERSE-ONLY', { kind: 'reverse', sector: 'finance' }],
      ['BOTH', { kind: 'translate', from: 'health', to: 'finance' }],
      ['BOTH', { kind: 'translate', from: 'tax', to: 'social' }],
      ['BOTH', { kind: 'translate', from: 'social', to: 'health' }],
    ];
    for (const [id, act] of refused) {
      let thrown: unknown;
      try {
        requireLegalBasis(BASES, id, act);
      } catch (err) {
        thrown = err;
      }
      expect([id, act, thrown]).toEqual([
        id,
        act,
        expect.objectContaining({
          code: 'forbidden',
          message: 'the legal basis is unknown or does not cover this act on these sectors',
        }),
      ]);
    }
    expect(codeOf(() => requireLegalBasis([], 'BOTH', { kind: 'reverse', sector: 'finance' }))).toBe('forbidden');
  });
});
