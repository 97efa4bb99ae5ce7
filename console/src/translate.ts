/**
 * Reading the catalogue (strings.ts): a language's translator, with its fallbacks — an unknown
 * language reads English, a placeholder without a value stays as written, an error code without a
 * message gets the generic one naming it, and a code without a label (an act, an outcome, a code
 * added to the service after this console) shows as the code itself. Pure.
 */
import { CATALOGUE, ENGLISH, type Key } from './strings.js';

export type Translate = (key: Key, values?: Record<string, string | number>) => string;

export function translator(lang: string): Translate {
  const strings = CATALOGUE[lang] ?? ENGLISH;
  return (key, values) =>
    strings[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
}

const isKey = (key: string): key is Key => key in ENGLISH;

/** The message for an API error code, or the generic one naming the code. */
export function errorText(t: Translate, code: string): string {
  const key = `error.${code}`;
  return isKey(key) ? t(key) : t('error.generic', { code });
}

/** Every code of a kind the catalogue names (`outcome`: ok, pending, expired and the error codes a record can hold). */
export const codesOf = (kind: 'auditAct' | 'outcome'): string[] =>
  Object.keys(ENGLISH).flatMap((k) => (k.startsWith(`${kind}.`) ? [k.slice(kind.length + 1)] : []));

/** The short name of a code of the audit log: an act (`auditAct.`) or an outcome (`outcome.`: ok, pending, expired or an error code); the code itself when the catalogue has none. */
export function codeLabel(t: Translate, kind: 'auditAct' | 'outcome', code: string): string {
  const key = `${kind}.${code}`;
  return isKey(key) ? t(key) : code;
}
