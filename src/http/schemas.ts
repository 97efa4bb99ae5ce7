/**
 * Request and response shapes, named by the operations of src/http/contract.ts: one zod source for
 * validation at the edge, for /openapi.json and for the console's types. Objects are strict
 * (unknown fields are refused); strings are bounded. Node-free: the console's type check reads it.
 */
import { z } from 'zod';
import { AUDIT_ACTS } from '../audit/chain/acts.js';
import { CHECKPOINT_FORMAT } from '../audit/chain/files.js';
import { INSTANCE_ID, LEGAL_ACTS, LEGAL_BASIS_ID, ROLES } from '../config/names.js';
import { ERROR_CODES } from '../errors.js';
import { PUBLIC_STATES, REQUEST_ID } from '../dualControl/states.js';
import { freeText } from './freeText.js';

const sector = z.string().min(1).max(64).meta({ description: 'A configured sector id', example: 'health' });
const nationalId = z.string().max(256).meta({
  description: 'CNIE number: 1–2 Latin letters then 1–6 digits; trimmed and upper-cased',
  example: 'AB123456',
});
const token = z
  .string()
  .meta({ description: "The person's pseudonymous identifier in this sector", example: '140392871665' });
const keyVersion = z.number().int().min(1).meta({ description: "Version of the sector's key that made the token" });
const schemeVersion = z
  .number()
  .int()
  .min(1)
  .meta({ description: 'Version of the derivation scheme (docs/DERIVATION.md)' });

export const tokenRequest = z.strictObject({ sector, nationalId }).meta({ id: 'TokenRequest' });

export const batchRequest = (maxBatchSize: number) =>
  z
    .strictObject({
      sector,
      nationalIds: z
        .array(nationalId)
        .min(1)
        .max(maxBatchSize)
        .meta({ description: `1 to ${maxBatchSize} national IDs` }),
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

export const homeResponse = z
  .strictObject({
    service: z.literal('sectoken'),
    console: z.literal('/console/'),
    openApi: z.literal('/openapi.json'),
    health: z.literal('/healthz'),
    ready: z.literal('/readyz'),
  })
  .meta({ id: 'Home' });
export const healthResponse = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });

export const readinessResponse = z
  .strictObject({
    status: z.enum(['ready', 'not_ready']),
    keyringFingerprint: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .meta({
        description:
          "the served keyring's fingerprint, the configuration's keyringFingerprint: every instance of a fleet reports the same",
      }),
    kek: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('file') }),
        z.strictObject({ kind: z.literal('pkcs11'), token: z.string(), key: z.string() }),
      ])
      .meta({
        description:
          "where the key-encryption key that opened the keyring lives: a file (SECTOKEN_KEK_FILE or SECTOKEN_KEK), or a PKCS#11 token, by its label and the key's label",
      }),
    checks: z.strictObject({
      keys: z.literal('ok').meta({ description: 'the keyring is loaded (the service does not start without it)' }),
      audit: z
        .enum(['ok', 'unavailable', 'disk_low'])
        .meta({ description: 'disk_low: less free space on the audit disk than SECTOKEN_AUDIT_MIN_FREE_MB' }),
      redis: z.enum(['ok', 'degraded', 'disabled']),
    }),
  })
  .meta({ id: 'Readiness' });

const legalAct = {
  // An id, or blank (legal_basis_required): never free text, which could reach the audit log.
  legalBasis: z
    .string()
    .max(64)
    .refine((v) => v.trim() === '' || LEGAL_BASIS_ID.test(v), 'a legal basis id: upper-case letters, digits and "-"')
    .optional()
    .meta({ description: 'Id of a configured legal basis', example: 'LOI-09-08-ART-4' }),
  caseId: freeText(64).meta({
    description: "The regulator's case reference: printable, with a visible letter or digit; kept in Unicode NFC",
    example: 'CNDP-2026-0042',
  }),
  purpose: freeText(500).meta({
    description: 'Why this act is needed: printable, with a visible letter or digit; kept in Unicode NFC',
    example: 'Complaint about unlawful processing',
  }),
};
const auditId = z.string().meta({ description: 'Id of the audit record of this act' });
const requestId = z
  .string()
  .regex(REQUEST_ID, 'malformed request id')
  .meta({ description: 'Unguessable dual-control request id' });
/** The path parameter of /v1/requests/:id… */
export const requestIdParams = z.object({ id: requestId });

export const reverseRequest = z
  .strictObject({ sector, token: z.string().max(128), ...legalAct })
  .meta({ id: 'ReverseRequest' });
export const reverseResponse = z
  .strictObject({ nationalId: z.string(), keyVersion, auditId })
  .meta({ id: 'ReverseResponse' });
export const reversePending = z
  .strictObject({ requestId, status: z.literal('pending'), expiresAt: z.string() })
  .meta({ id: 'ReversePending' });
export const requestAccepted = reversePending.extend({ auditId }).meta({ id: 'RequestAccepted' });
export const decisionResponse = z
  .strictObject({ requestId, status: z.enum(['approved', 'denied']), auditId })
  .meta({ id: 'Decision' });
/** `state` as in the request's facts (one name for one thing); `status`, the same, kept for clients of the first API. */
const releasedState = {
  state: z.literal('released'),
  status: z.literal('released').meta({ description: 'Deprecated: the same as `state`', deprecated: true }),
};
export const releasedResponse = z
  .union([
    z.strictObject({ requestId, ...releasedState, nationalId: z.string(), auditId }),
    z.strictObject({
      requestId,
      ...releasedState,
      fromSector: sector,
      toSector: sector,
      token,
      keyVersion,
      schemeVersion,
      auditId,
    }),
  ])
  .meta({
    id: 'Released',
    description: "An approved request's result, handed out once: a reverse's national ID or a translation's token",
  });

const actor = z
  .strictObject({ client: z.string(), person: z.string(), organisation: z.string() })
  .meta({ id: 'Actor' });
export const requestView = z
  .strictObject({
    requestId,
    act: z.enum(['reverse', 'translate']),
    sector,
    toSector: sector.nullable(),
    sourceToken: token.nullable().meta({
      description:
        'The token the act is about (in `sector`), canonical, to check against the case file: for the requester and for regulators who may decide the request; null for others',
    }),
    legalBasis: z.strictObject({ id: z.string(), title: z.string(), reference: z.string() }),
    caseId: z.string(),
    purpose: z.string(),
    requester: actor,
    state: z.enum(PUBLIC_STATES),
    createdAt: z.string(),
    expiresAt: z.string(),
    decidedBy: actor.nullable(),
    mine: z.boolean().meta({ description: 'The caller made this request' }),
    canDecide: z.boolean().meta({ description: 'The caller may approve or deny it now' }),
  })
  .meta({
    id: 'DualControlRequest',
    description: 'The facts an approver decides on, the token among them; never a national ID',
  });
export const requestList = z.strictObject({ requests: z.array(requestView) }).meta({ id: 'DualControlRequests' });
export const requestListQuery = z.strictObject({
  state: z.enum(PUBLIC_STATES).optional(),
  decidedBy: z.literal('me').optional().meta({
    description:
      'Only the requests the caller approved or denied (kept until an hour after their expiry; the audit log keeps every decision)',
  }),
});
export const decisionRequest = z.strictObject({}).meta({ id: 'DecisionRequest' });

export const translateRequest = z
  .strictObject({ fromSector: sector, token: z.string().max(128), toSector: sector, ...legalAct })
  .meta({ id: 'TranslateRequest' });
export const translateResponse = z
  .strictObject({ fromSector: sector, toSector: sector, token, keyVersion, schemeVersion, auditId })
  .meta({ id: 'TranslateResponse' });

export const upgradeRequest = (maxBatchSize: number) =>
  z
    .strictObject({ sector, tokens: z.array(z.string().max(128)).min(1).max(maxBatchSize) })
    .meta({ id: 'UpgradeRequest' });
export const upgradeResponse = z
  .strictObject({
    sector,
    keyVersion,
    schemeVersion,
    results: z.array(
      z.union([
        z.strictObject({ token, keyVersion }),
        z.strictObject({ error: z.enum(['invalid_token', 'token_retired']) }),
      ]),
    ),
  })
  .meta({ id: 'UpgradeResponse' });

/** The deepest offset a page of GET /v1/audit may start at: a page holds offset + limit records while it is read. */
export const AUDIT_MAX_OFFSET = 10_000;
/** An ISO date-time, or a plain date: a UTC day (src/audit/read.ts timeBound). */
const timeOrDay = (which: 'from' | 'to') =>
  z
    .union([z.iso.datetime(), z.iso.date()])
    .optional()
    .meta({
      description:
        which === 'from'
          ? 'Records at or after this instant (ISO 8601 date-time), or from the start of this UTC day (YYYY-MM-DD)'
          : 'Records before this instant (ISO 8601 date-time), or through the end of this UTC day (YYYY-MM-DD)',
    });
export const auditQuery = z.strictObject({
  from: timeOrDay('from'),
  to: timeOrDay('to'),
  client: z.string().max(64).optional(),
  caseId: z.string().max(64).optional(),
  legalBasis: z.string().max(64).optional(),
  act: z.enum(AUDIT_ACTS).optional(),
  outcome: z.string().max(64).optional().meta({ description: '"ok", "pending", "expired" or an error code' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  // Bounded, so that a page's memory is bounded by the page, not the log: deeper pages come by `after`.
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(AUDIT_MAX_OFFSET)
    .default(0)
    .meta({ description: `Records skipped (at most ${AUDIT_MAX_OFFSET}); to go further, page with after` }),
  after: z
    .string()
    .max(256)
    .optional()
    .meta({ description: 'Start after this record: the `next` of the previous page, as it came' }),
  order: z
    .enum(['asc', 'desc'])
    .default('asc')
    .meta({ description: 'Oldest first (asc) or newest first (desc); pass the same with each `after`' }),
});
const auditRecord = z
  .strictObject({
    v: z
      .union([z.literal(1), z.literal(2)])
      .meta({ description: 'Record form (docs/AUDIT.md §1); a form-1 record has null person, organisation and count' }),
    id: z.string(),
    seq: z.number().int(),
    time: z.string(),
    instance: z.string(),
    act: z.string(),
    client: z.string().nullable(),
    person: z.string().nullable(),
    organisation: z.string().nullable(),
    sector: z.string().nullable(),
    toSector: z.string().nullable(),
    token: z.string().nullable(),
    legalBasis: z.string().nullable(),
    caseId: z.string().nullable(),
    purpose: z.string().nullable(),
    requestId: z.string().nullable(),
    outcome: z.string(),
    count: z.number().int().min(1).nullable(),
    prev: z.string(),
    hash: z.string(),
    mac: z.string(),
  })
  .meta({ id: 'AuditRecord' });
/** Which chains a read of the log took its records from, and whether each verified (docs/AUDIT.md §6). */
const chainsRead = z
  .array(
    z.strictObject({
      file: z.string(),
      instance: z.string().nullable(),
      records: z.number().int().meta({ description: 'Its records that verify, from the first on: the ones read' }),
      verified: z.boolean(),
      firstBad: z
        .strictObject({ line: z.number().int(), reason: z.string() })
        .optional()
        .meta({ description: 'The first record that does not verify: it and every record after it were left out' }),
    }),
  )
  .meta({ id: 'ChainsRead' });
export const auditPage = z
  .strictObject({
    total: z.number().int(),
    offset: z.number().int(),
    records: z.array(auditRecord),
    next: z.string().nullable().meta({ description: 'Pass as `after` for the next page; null on the last page' }),
    chains: chainsRead,
  })
  .meta({ id: 'AuditPage' });
export const verifyResponse = z
  .strictObject({
    ok: z.boolean(),
    macChecked: z.boolean(),
    files: z.array(
      z.strictObject({
        name: z.string(),
        instance: z.string().nullable(),
        records: z.number().int(),
        headHash: z.string(),
        firstBad: z.strictObject({ line: z.number().int(), reason: z.string() }).optional(),
      }),
    ),
    checkpoints: z.array(
      z.strictObject({ instance: z.string(), size: z.number().int(), ok: z.boolean(), reason: z.string().optional() }),
    ),
    problems: z.array(z.string()).meta({ description: 'Misnamed files, two chains for one instance' }),
    live: z
      .strictObject({
        instance: z.string(),
        file: z.string(),
        head: z
          .strictObject({ size: z.number().int(), headHash: z.string() })
          .meta({ description: 'The durable head this process holds in memory; the file must still hold it' }),
        ok: z.boolean(),
        reason: z.string().optional(),
        writable: z.boolean().meta({ description: 'The log still accepts records' }),
        lastCheckpoint: z
          .strictObject({ size: z.number().int(), headHash: z.string(), time: z.string() })
          .nullable()
          .meta({ description: 'The last checkpoint this process issued (its check is among checkpoints)' }),
      })
      .meta({ description: "This instance's own file, checked against what the running process knows" }),
  })
  .meta({ id: 'AuditVerification' });
/**
 * POST /v1/audit/verify: checkpoints the auditor kept off-host, to check the chains against. Their
 * values (format, instance, hash, time) and signatures are the verifier's to judge, each reported
 * on its own; here only their shape and sizes.
 */
export const verifyRequest = z
  .strictObject({
    checkpoints: z
      .array(
        z.strictObject({
          format: z.string().max(64),
          instance: z.string().max(64),
          size: z.number().int().min(0),
          headHash: z.string().max(128),
          time: z.string().max(64),
          publicKey: z.string().max(128),
          signature: z.string().max(256),
        }),
      )
      .min(1)
      .max(100),
  })
  .meta({ id: 'VerifyRequest' });

/** GET /v1/audit/checkpoint: which chain (under workers, each worker has its own); default: the answering instance's. */
export const checkpointQuery = z.strictObject({
  instance: z.string().regex(INSTANCE_ID).optional().meta({
    description:
      'The instance whose chain to checkpoint (a worker is `<instance>-w<n>`); default: the instance that answers',
  }),
});
export const checkpointResponse = z
  .strictObject({
    format: z.literal(CHECKPOINT_FORMAT),
    instance: z.string(),
    size: z.number().int(),
    headHash: z.string(),
    time: z.string(),
    publicKey: z.string().meta({ description: 'Ed25519 public key, base64url' }),
    signature: z.string().meta({ description: 'Ed25519 signature, base64url' }),
  })
  .meta({ id: 'Checkpoint' });

/** GET /v1/me: who the API key belongs to. */
export const meResponse = z
  .strictObject({
    client: z.string(),
    role: z.enum(ROLES),
    person: z.string().nullable().meta({ description: 'The accountable person (regulators); null for backends' }),
    organisation: z.string().nullable(),
    sectors: z.array(sector),
    limits: z
      .strictObject({
        batchSize: z.number().int().min(1).meta({
          description:
            'The most national IDs or tokens one batch or upgrade of this client may hold: limits.maxBatchSize, or its smallest identities window if smaller (a larger batch is 422 batch_too_large)',
        }),
        identities: z.array(z.strictObject({ points: z.number().int(), perSeconds: z.number().int() })).meta({
          description: "The client's windows of identities (national IDs or tokens per sector), empty when it has none",
        }),
      })
      .meta({ description: 'What this client may send' }),
  })
  .meta({ id: 'Me' });

/** GET /v1/legal-bases: what each basis covers, for regulators choosing one. */
export const legalBasesResponse = z
  .strictObject({
    legalBases: z.array(
      z.strictObject({
        id: z.string(),
        title: z.string(),
        reference: z.string().meta({ description: "The law's reference" }),
        acts: z.array(z.enum(LEGAL_ACTS)),
        sectors: z.array(sector).meta({ description: 'Sectors where it allows reverse' }),
        sectorPairs: z
          .array(z.tuple([sector, sector]))
          .meta({ description: 'Ordered [from, to] pairs where it allows translate' }),
        dualControl: z.boolean(),
        approverFromOtherOrganisation: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'LegalBases' });

export const auditStatsQuery = z.strictObject({ from: timeOrDay('from'), to: timeOrDay('to') });
const dayCounts = z.array(
  z.strictObject({
    day: z.string().meta({ description: 'UTC day, YYYY-MM-DD' }),
    key: z.string(),
    count: z.number().int(),
  }),
);
export const auditStatsResponse = z
  .strictObject({
    from: z.string().nullable(),
    to: z.string().nullable(),
    records: z.number().int().meta({ description: 'Records in the range' }),
    days: z.array(z.string()).meta({ description: 'Every UTC day from the first to the last counted one' }),
    actsByRegulator: dayCounts.meta({
      description: 'Reverses and translations accepted (done or made pending), per day, by client',
    }),
    actsByLegalBasis: dayCounts.meta({ description: 'The same acts per day, by legal basis' }),
    refusalsByCode: dayCounts.meta({
      description: 'Acts refused for what the caller asked or sent, per day, by error code (failures apart)',
    }),
    failuresByCode: dayCounts.meta({
      description:
        'Acts the service could not carry out (a store it needs unavailable, 503, or internal, 500), per day, by code: not refusals',
    }),
    requestsEnded: z.strictObject({ released: z.number().int(), denied: z.number().int(), expired: z.number().int() }),
    chains: chainsRead,
  })
  .meta({ id: 'AuditStats' });
