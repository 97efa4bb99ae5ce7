/**
 * Request and response shapes: one zod source for validation at the edge and for /openapi.json.
 * Objects are strict (unknown fields are refused); strings are bounded.
 */
import { z } from 'zod';
import 'zod-openapi';
import { ERROR_CODES } from '../errors.js';

const sector = z.string().min(1).max(64).meta({ description: 'A configured sector id', example: 'health' });
const nationalId = z.string().max(256).meta({
  description: 'CNIE number: 1–2 Latin letters then 1–6 digits; trimmed and upper-cased',
  example: 'AB123456',
});
const token = z.string().meta({ description: "The person's pseudonymous identifier in this sector", example: '140392871665' });
const keyVersion = z.number().int().min(1).meta({ description: "Version of the sector's key that made the token" });
const schemeVersion = z.number().int().min(1).meta({ description: 'Version of the derivation scheme (docs/DERIVATION.md)' });

export const tokenRequest = z.strictObject({ sector, nationalId }).meta({ id: 'TokenRequest' });

export const batchRequest = (maxBatchSize: number) =>
  z
    .strictObject({
      sector,
      nationalIds: z.array(nationalId).min(1).max(maxBatchSize).meta({ description: `1 to ${maxBatchSize} national IDs` }),
    })
    .meta({ id: 'BatchTokenRequest' });

export const tokenResponse = z.strictObject({ sector, token, keyVersion, schemeVersion }).meta({ id: 'TokenResponse' });

export const batchResponse = z
  .strictObject({
    sector,
    keyVersion,
    schemeVersion,
    results: z
      .array(z.union([z.strictObject({ token }), z.strictObject({ error: z.literal('invalid_national_id') })]))
      .meta({ description: 'One result per input, in input order' }),
  })
  .meta({ id: 'BatchTokenResponse' });

export const errorResponse = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(ERROR_CODES).meta({ description: 'Stable machine-readable code' }),
      message: z.string().meta({ description: 'For people; never echoes an identifier or token' }),
    }),
  })
  .meta({ id: 'Error' });

export const healthResponse = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });

export const readinessResponse = z
  .strictObject({
    status: z.enum(['ready', 'not_ready']),
    checks: z.strictObject({
      keys: z.enum(['ok', 'missing']),
      audit: z.enum(['ok', 'unavailable', 'disabled']),
      redis: z.enum(['ok', 'degraded', 'disabled']),
    }),
  })
  .meta({ id: 'Readiness' });
