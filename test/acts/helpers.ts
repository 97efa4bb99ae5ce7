/** Shared steps of the regulator tests: tokens as a service would get them, the last audit records. */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { AuditRecord } from '../../src/audit/chain/record.js';
import { bearer, type TestService } from '../helpers/service.js';

export const SERVICE_OF: Record<string, string> = {
  health: 'hospital-backend',
  tax: 'tax-backend',
  finance: 'bank-backend',
  social: 'welfare-backend',
  telecom: 'bank-backend',
};

export async function tokenOf(service: TestService, sector: string, nationalId: string): Promise<string> {
  const res = await request(service.app)
    .post('/v1/tokens')
    .set('Authorization', bearer(SERVICE_OF[sector]!))
    .send({ sector, nationalId });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

export const act = { caseId: 'CASE-2026-0042', purpose: 'Complaint about unlawful processing' };

export function auditRecords(service: TestService): AuditRecord[] {
  const text = readFileSync(join(service.settings.auditDir, 'audit-test-instance.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

export const lastRecord = (service: TestService): AuditRecord => auditRecords(service).at(-1)!;

/**
 * The records appended since the previous call, reading only the bytes added since then: a test of
 * thousands of acts that re-read the whole file after each one would be quadratic.
 */
export function auditFollower(service: TestService): () => AuditRecord[] {
  const path = join(service.settings.auditDir, 'audit-test-instance.jsonl');
  let offset = 0;
  return () => {
    const fd = openSync(path, 'r');
    try {
      const added = Buffer.alloc(fstatSync(fd).size - offset);
      const read = readSync(fd, added, 0, added.length, offset);
      // Only whole lines: a batch being written is read on the next call.
      const end = added.subarray(0, read).lastIndexOf(0x0a) + 1;
      offset += end;
      return added
        .subarray(0, end)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditRecord);
    } finally {
      closeSync(fd);
    }
  };
}
