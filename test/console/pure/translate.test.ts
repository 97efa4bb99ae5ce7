/** The console's catalogue and its fallbacks (console/src/strings.ts, translate.ts), pure. */
import { AUDIT_OUTCOMES } from '../../../src/audit/chain/recordRules.js';
import { AUDIT_ACTS } from '../../../src/audit/chain/acts.js';
import { CATALOGUE, LANGS } from '../../../console/src/strings.js';
import { codeLabel, codesOf, errorText, translator } from '../../../console/src/translate.js';

describe('translator', () => {
  it('when a language is known, then its strings are read, with their placeholders filled', () => {
    expect(translator('fr')('req.approved', { caseId: 'C-1' })).toBe('Demande du dossier C-1 approuvée.');
  });

  it('when a language is unknown, then English is read; a placeholder without a value stays as written', () => {
    expect(translator('xx')('req.approved', { caseId: 'C-1' })).toBe('Request of case C-1 approved.');
    expect(translator('en')('req.approved')).toBe('Request of case {caseId} approved.');
  });

  it('when a language is listed, then it has every key, none of them blank, with the same placeholders as English', () => {
    const en = CATALOGUE.en!;
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const lang of LANGS) {
      const strings = CATALOGUE[lang]!;
      expect(Object.keys(strings).sort()).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(strings)) {
        expect([lang, key, value.trim() === '']).toEqual([lang, key, false]);
        expect([lang, key, placeholders(value)]).toEqual([lang, key, placeholders(en[key as keyof typeof en])]);
      }
    }
  });
});

describe('codes in words', () => {
  const fr = translator('fr');

  it('when an act or outcome of the audit log is shown, then every one the service has gets a label in each language', () => {
    for (const lang of LANGS) {
      const t = translator(lang);
      for (const act of AUDIT_ACTS)
        expect([lang, act, codeLabel(t, 'auditAct', act) === act && lang !== 'en']).toEqual([lang, act, false]);
      for (const code of AUDIT_OUTCOMES) expect(codeLabel(t, 'outcome', code)).not.toBe('');
    }
    expect(codeLabel(fr, 'auditAct', 'reverse-request')).toBe('demande de réidentification');
    expect(codeLabel(fr, 'outcome', 'dual_control_unavailable')).toBe('double contrôle indisponible');
    expect(AUDIT_OUTCOMES.filter((c) => codeLabel(fr, 'outcome', c) === c)).toEqual([]);
  });

  it('when the search offers acts and outcomes, then it offers every one a record can have, and no other (never audit_unavailable: such an act leaves no record)', () => {
    expect([...codesOf('auditAct')].sort()).toEqual([...AUDIT_ACTS].sort());
    expect([...codesOf('outcome')].sort()).toEqual([...AUDIT_OUTCOMES].sort());
    expect(codesOf('outcome')).not.toContain('audit_unavailable');
  });

  it('when a code has no label (one added to the service after this console), then it shows as itself', () => {
    expect(codeLabel(fr, 'outcome', 'some_new_code')).toBe('some_new_code');
    expect(codeLabel(fr, 'auditAct', 'blind-evaluate')).toBe('blind-evaluate');
  });

  it('when an error code has no message, then the generic one names it', () => {
    expect(errorText(fr, 'forbidden')).toBe(fr('error.forbidden'));
    expect(errorText(fr, 'some_new_code')).toBe('Une erreur s’est produite (some_new_code).');
  });
});
