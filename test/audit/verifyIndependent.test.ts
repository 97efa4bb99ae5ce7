/**
 * docs/AUDIT.md is enough to verify a log without sectoken's code: an independent verifier written
 * here from §2, §4 and §8 alone (node:crypto and @noble/ciphers, nothing from src/audit or
 * src/keys) opens the sealed keyring, agrees with `keys audit-mac-key` and `keys public-key`,
 * recomputes every record's body, hash and MAC, and checks a checkpoint's signature.
 */
import { createHash, createHmac, createPublicKey, hkdfSync, verify } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import request from 'supertest';
import { runCli } from '../helpers/cli.js';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

let service: TestService;
afterAll(async () => {
  await service.close();
  rmSync(service.dir, { recursive: true, force: true });
});

/** §8, as written. */
function openKeyring(fileText: string, kekHex: string): { auditMac: Buffer; x: string } {
  const kek = Buffer.from(kekHex, 'hex');
  const salt = Buffer.from('sectoken/v1', 'ascii');
  const header = JSON.parse(fileText) as {
    format: string;
    development: boolean;
    kekFingerprint: string;
    nonce: string;
    ciphertext: string;
  };
  expect(header.format).toBe('sectoken-sealed-keyring/1');
  expect(
    Buffer.from(hkdfSync('sha256', kek, salt, Buffer.from('sectoken/v1/kek-fingerprint'), 8)).toString('hex'),
  ).toBe(header.kekFingerprint);
  const aeadKey = new Uint8Array(hkdfSync('sha256', kek, salt, Buffer.from('sectoken/v1/keyring-aead'), 32));
  const aad = Buffer.from(
    `sectoken-sealed-keyring/1|development=${header.development}|kek=${header.kekFingerprint}`,
    'ascii',
  );
  const plain = xchacha20poly1305(aeadKey, Buffer.from(header.nonce, 'base64url'), aad).decrypt(
    Buffer.from(header.ciphertext, 'base64url'),
  );
  const keyring = JSON.parse(Buffer.from(plain).toString('utf8')) as {
    format: string;
    auditMac: string;
    auditSigning: { x: string };
  };
  expect(keyring.format).toBe('sectoken-keyring/1');
  return { auditMac: Buffer.from(keyring.auditMac, 'base64url'), x: keyring.auditSigning.x };
}

const ORDER = [
  'v',
  'id',
  'seq',
  'time',
  'instance',
  'act',
  'client',
  'person',
  'organisation',
  'sector',
  'toSector',
  'token',
  'legalBasis',
  'caseId',
  'purpose',
  'requestId',
  'outcome',
  'count',
  'prev',
];

it('when an auditor follows docs/AUDIT.md alone, then the keys, every record and the checkpoint check out', async () => {
  service = startTestService();
  const token = (
    await request(service.app)
      .post('/v1/tokens')
      .set('Authorization', bearer('tax-backend'))
      .send({ sector: 'tax', nationalId: 'AB123456' })
  ).body.token as string;
  const act = {
    sector: 'tax',
    token,
    legalBasis: 'LOI-09-08-ART-4',
    caseId: 'CASE-é-1',
    purpose: 'Contrôle "fiscal"\\',
  };
  expect(
    (await request(service.app).post('/v1/reverse').set('Authorization', bearer('regulator-cndp')).send(act)).status,
  ).toBe(200);
  expect(
    (await request(service.app).post('/v1/reverse').set('Authorization', bearer('tax-backend')).send(act)).status,
  ).toBe(403);
  expect((await request(service.app).post('/v1/reverse').send(act)).status).toBe(401);
  const checkpoint = (await request(service.app).get('/v1/audit/checkpoint').set('Authorization', bearer('auditor')))
    .body as Record<string, unknown>;

  // The keys: from the CLI, and from the sealed file by §8.
  const env = {
    SECTOKEN_KEYRING: service.settings.keyringPath,
    SECTOKEN_KEK: service.settings.kek!,
    SECTOKEN_CONFIG: service.settings.configPath,
  };
  const macCli = runCli(['keys', 'audit-mac-key'], env);
  expect(macCli.status).toBe(0);
  expect(macCli.stdout).toMatch(/^[0-9a-f]{64}\n$/);
  expect(macCli.stderr).toMatch(/audit MAC key, a secret/);
  const publicKey = runCli(['keys', 'public-key'], env).stdout.trim();
  const opened = openKeyring(readFileSync(service.settings.keyringPath, 'utf8'), service.settings.kek!);
  expect(opened.auditMac.toString('hex')).toBe(macCli.stdout.trim());
  expect(opened.x).toBe(publicKey);

  // Every record by §2.
  const text = readFileSync(join(service.settings.auditDir, 'audit-test-instance.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  let head = '0'.repeat(64);
  const lines = text.slice(0, -1).split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(2);
  lines.forEach((line, i) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    const body = JSON.stringify(Object.fromEntries(ORDER.map((k) => [k, record[k]])));
    const hash = createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex');
    const mac = createHmac('sha256', opened.auditMac).update(Buffer.from(hash, 'ascii')).digest('hex');
    expect(line).toBe(`${body.slice(0, -1)},"hash":"${hash}","mac":"${mac}"}`);
    expect(record).toMatchObject({ v: 2, seq: i + 1, id: `test-instance:${i + 1}`, prev: head });
    head = hash;
  });
  expect(lines.some((l) => l.includes('Contrôle \\"fiscal\\"\\\\'))).toBe(true);

  // The checkpoint by §4, under the pinned key.
  expect(Object.keys(checkpoint)).toEqual(['format', 'instance', 'size', 'headHash', 'time', 'publicKey', 'signature']);
  expect(checkpoint).toMatchObject({
    format: 'sectoken-checkpoint/1',
    instance: 'test-instance',
    size: lines.length,
    headHash: head,
  });
  const message = Buffer.from(
    `sectoken-checkpoint/1\n${String(checkpoint.instance)}\n${String(checkpoint.size)}\n${String(checkpoint.headHash)}\n${String(checkpoint.time)}`,
    'ascii',
  );
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  expect(verify(null, message, key, Buffer.from(String(checkpoint.signature), 'base64url'))).toBe(true);
});
