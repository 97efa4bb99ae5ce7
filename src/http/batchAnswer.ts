/**
 * The JSON of a batch answer built as one string, in the key order res.json gave the
 * BatchAnswer object (sector, keyVersion, schemeVersion, results), without 1000 result objects.
 */
import type { BatchTokens } from '../tokens/tokenize.js';

const INVALID = '{"error":"invalid_national_id"}';

export function batchAnswerJson(batch: BatchTokens): string {
  let json = `{"sector":${JSON.stringify(batch.sector)},"keyVersion":${JSON.stringify(batch.keyVersion)},"schemeVersion":${JSON.stringify(batch.schemeVersion)},"results":[`;
  const { tokens } = batch;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (i > 0) json += ',';
    json += token === undefined ? INVALID : `{"token":${JSON.stringify(token)}}`;
  }
  return json + ']}';
}
