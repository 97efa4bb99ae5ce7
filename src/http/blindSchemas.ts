/**
 * Shapes of the blind-token operations (RFC 9497 VOPRF ristretto255-SHA512, docs/DERIVATION.md
 * §10): group elements and proofs travel as base64url without padding. Element strings are only
 * bounded here: one that is not 32 bytes of a canonical encoding is `invalid_element` with its
 * index (src/acts/blindEvaluate.ts), not a generic invalid_request. Node-free.
 */
import { z } from 'zod';

const sector = z.string().min(1).max(64).meta({ description: 'A configured blind sector id', example: 'civil' });
const keyVersion = z.number().int().min(1).meta({ description: "The version of the sector's key that evaluated" });
const suite = z.literal('ristretto255-SHA512').meta({ description: 'RFC 9497 ciphersuite' });
const element = z
  .string()
  .max(64)
  .meta({ description: 'A ristretto255 element: 32 bytes, base64url without padding (43 characters)' });
const publicKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/)
  .meta({ description: "The sector's VOPRF public key pkS: 32 bytes, base64url without padding" });

export const blindEvaluateRequest = (maxBatchSize: number) =>
  z
    .strictObject({
      sector,
      blindedElements: z
        .array(element)
        .min(1)
        .max(maxBatchSize)
        .meta({ description: `1 to ${maxBatchSize} blinded elements (RFC 9497 Blind)` }),
    })
    .meta({ id: 'BlindEvaluateRequest' });

export const blindEvaluateResponse = z
  .strictObject({
    sector,
    keyVersion,
    schemeVersion: z.number().int().min(1),
    suite,
    evaluatedElements: z.array(element).meta({ description: 'k·C for each blinded element C, in input order' }),
    proof: z
      .string()
      .regex(/^[A-Za-z0-9_-]{86}$/)
      .meta({ description: 'One DLEQ proof (c || s, 64 bytes, base64url) for the whole batch, RFC 9497 §2.2' }),
  })
  .meta({ id: 'BlindEvaluateResponse' });

export const blindKeysParams = z.strictObject({ sector });

export const blindKeysResponse = z
  .strictObject({
    sector,
    suite,
    mode: z.literal('VOPRF'),
    format: z
      .strictObject({
        alphabet: z.enum(['digits', 'alphanumeric', 'crockford32', 'hex']),
        length: z.number().int(),
        checkCharacter: z.boolean(),
        versionCharacters: z.union([z.literal(1), z.literal(2)]),
      })
      .meta({
        description: "The sector's token format, which the backend renders its tokens in (docs/DERIVATION.md §4)",
      }),
    currentVersion: keyVersion,
    minVersion: keyVersion,
    keys: z
      .array(z.strictObject({ keyVersion, publicKey }))
      .meta({ description: 'The public key of every live key version, oldest first' }),
  })
  .meta({ id: 'BlindKeysResponse' });
