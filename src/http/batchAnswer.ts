/**
 * The JSON of a batch answer built as one string, in the key order res.json gave the
 * BatchAnswer object (sector, keyVersion, schemeVersion, results), without 1000 result objects.
 * Tokens are written from the fixed alphabets of src/derivation/alphabet.ts, [0-9A-Z], which need no
 * escaping (anything else is still escaped): JSON.stringify per token cost more than the rest.
 */
import type { BatchTokens } from '../acts/tokens/tokenize.js';

const INVALID = '{"error":"invalid_national_id"}';
const PLAIN = /^[0-9A-Za-z]*$/;

export function batchAnswerJson(batch: BatchTokens): string {
  const { tokens } = batch;
  const parts = new Array<string>(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    parts[i] =
      token === undefined
        ? INVALID
        : PLAIN.test(token)
          ? '{"token":"' + token + '"}'
          : `{"token":${JSON.stringify(token)}}`;
  }
  return `{"sector":${JSON.stringify(batch.sector)},"keyVersion":${JSON.stringify(batch.keyVersion)},"schemeVersion":${JSON.stringify(batch.schemeVersion)},"results":[${parts.join(',')}]}`;
}
