/**
 * Hostile input at the HTTP edge (SPEC "Bad input and abuse"): each gets its 4xx code, the
 * process neither crashes nor gets polluted, and after each case the service still answers a
 * normal tokenize with the same token as before.
 */
import request from 'supertest';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { bearer, startTestService, type TestService } from '../helpers/service.js';

const HOSPITAL = bearer('hospital-backend');

let service: TestService;
let reference: string;

/** Sends `body` byte for byte: superagent would otherwise JSON-encode Buffers and rewrite `__proto__` keys. */
const postRaw = (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  let req = request(service.app).post(path).set('Authorization', HOSPITAL).set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
  return req.serialize((data: unknown) => data as string).send(body);
};
const tokenize = (nationalId: unknown, sector = 'health') =>
  postRaw('/v1/tokens', JSON.stringify({ sector, nationalId }));

function expectCode(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, body: res.body as unknown }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
}

function expectNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe.sector).toBeUndefined();
  expect(probe.nationalId).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as { constructor: unknown }).constructor).toBe(Object);
}

afterAll(() => rmSync(service.dir, { recursive: true, force: true }));
beforeAll(async () => {
  service = startTestService();
  const res = await tokenize('AB123456');
  expect(res.status).toBe(200);
  reference = res.body.token as string;
});

afterEach(async () => {
  // Still alive, still the same answer, nothing polluted.
  const res = await tokenize('AB123456');
  expect(res.status).toBe(200);
  expect(res.body.token).toBe(reference);
  expectNotPolluted();
});

describe('malformed JSON', () => {
  it.each([
    ['an open brace', '{'],
    ['a close brace', '}'],
    ['unterminated string', '{"sector":"health","nationalId":"AB123456'],
    ['missing comma', '{"sector":"health" "nationalId":"AB123456"}'],
    ['single quotes', "{'sector':'health','nationalId':'AB123456'}"],
    ['trailing comma', '{"sector":"health","nationalId":"AB123456",}'],
    ['comments', '{"sector":"health", /* hi */ "nationalId":"AB123456"}'],
    ['NaN', '{"sector":"health","nationalId":NaN}'],
    ['undefined', 'undefined'],
    ['concatenated documents', '{"sector":"health"}{"nationalId":"AB123456"}'],
    ['invalid escape', '{"sector":"health","nationalId":"AB\\x31"}'],
    ['raw control character in a string', '{"sector":"health","nationalId":"AB\n123456"}'],
    ['raw NUL in a string', '{"sector":"health","nationalId":"AB123456\u0000"}'],
    ['only NULs', '\u0000\u0000\u0000\u0000'],
    ['a huge number literal', '1'.repeat(100_000)],
    ['a bare string', '"AB123456"'],
    ['a lone bracket mess', ']]]]}}}}'],
  ])('when the body is malformed (%s), then 400 invalid_request', async (_name, body) => {
    expectCode(await postRaw('/v1/tokens', body), 400, 'invalid_request');
    expectCode(await postRaw('/v1/tokens/batch', body), 400, 'invalid_request');
  });

  it('when the body is not valid UTF-8, then 400 invalid_request', async () => {
    expectCode(await postRaw('/v1/tokens', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, 'invalid_request');
    expectCode(await postRaw('/v1/tokens', Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80])), 400, 'invalid_request');
  });

  it('when a gzip body is corrupt, then 400 invalid_request', async () => {
    expectCode(
      await postRaw('/v1/tokens', Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip' }),
      400,
      'invalid_request',
    );
  });

  it('when a gzip bomb inflates beyond the body limit, then 413 payload_too_large', async () => {
    const bomb = gzipSync(Buffer.from(`{"sector":"health","nationalId":"${' '.repeat(10 * 1024 * 1024)}"}`));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expectCode(await postRaw('/v1/tokens', bomb, { 'Content-Encoding': 'gzip' }), 413, 'payload_too_large');
  });
});

describe('wrong types', () => {
  const WRONG: [string, unknown][] = [
    ['zero', 0],
    ['a negative number', -1],
    ['a huge number', 1e308],
    ['a number that looks like an ID', 123456],
    ['null', null],
    ['true', true],
    ['false', false],
    ['an empty object', {}],
    ['an object with toString', { toString: 'AB123456' }],
    ['an object with valueOf', { valueOf: 'AB123456' }],
    ['an empty array', []],
    ['an array holding a valid ID', ['AB123456']],
    ['a nested array', [['AB123456']]],
  ];

  it.each(WRONG)('when nationalId is %s, then 400 invalid_request', async (_name, value) => {
    expectCode(await tokenize(value), 400, 'invalid_request');
  });

  it.each(WRONG)('when sector is %s, then 400 invalid_request', async (_name, value) => {
    expectCode(
      await postRaw('/v1/tokens', JSON.stringify({ sector: value, nationalId: 'AB123456' })),
      400,
      'invalid_request',
    );
  });

  it.each(WRONG.filter(([, v]) => !Array.isArray(v)))(
    'when nationalIds is %s, then 400 invalid_request',
    async (_name, value) => {
      expectCode(
        await postRaw('/v1/tokens/batch', JSON.stringify({ sector: 'health', nationalIds: value })),
        400,
        'invalid_request',
      );
    },
  );

  it.each(WRONG)('when a batch item is %s, then the whole batch is 400 invalid_request', async (_name, value) => {
    expectCode(
      await postRaw('/v1/tokens/batch', JSON.stringify({ sector: 'health', nationalIds: ['AB123456', value] })),
      400,
      'invalid_request',
    );
  });

  it('when nationalIds is an array-like object claiming a huge length, then 400 invalid_request', async () => {
    expectCode(
      await postRaw('/v1/tokens/batch', '{"sector":"health","nationalIds":{"length":1000000000,"0":"AB123456"}}'),
      400,
      'invalid_request',
    );
  });
});

describe('prototype pollution', () => {
  it.each([
    ['top-level __proto__', '{"__proto__":{"polluted":1},"sector":"health","nationalId":"AB123456"}'],
    ['top-level __proto__ carrying the fields', '{"__proto__":{"sector":"health","nationalId":"AB123456"}}'],
    [
      'top-level constructor.prototype',
      '{"constructor":{"prototype":{"polluted":1}},"sector":"health","nationalId":"AB123456"}',
    ],
    ['top-level prototype', '{"prototype":{"polluted":1},"sector":"health","nationalId":"AB123456"}'],
    ['top-level __proto__ null', '{"__proto__":null,"sector":"health","nationalId":"AB123456"}'],
    ['__proto__ as the sector value', '{"sector":{"__proto__":{"polluted":1}},"nationalId":"AB123456"}'],
    ['__proto__ as the nationalId value', '{"sector":"health","nationalId":{"__proto__":{"polluted":1}}}'],
    [
      'constructor as the nationalId value',
      '{"sector":"health","nationalId":{"constructor":{"prototype":{"polluted":1}}}}',
    ],
    [
      '__proto__ nested in an unknown field',
      '{"sector":"health","nationalId":"AB123456","x":{"__proto__":{"polluted":1}}}',
    ],
    [
      'deeply nested __proto__',
      '{"sector":"health","nationalId":"AB123456","a":{"b":{"c":{"__proto__":{"polluted":1}}}}}',
    ],
  ])('when /v1/tokens gets %s, then 400 invalid_request and Object.prototype stays clean', async (_name, body) => {
    expectCode(await postRaw('/v1/tokens', body), 400, 'invalid_request');
    expectNotPolluted();
  });

  it.each([
    ['top-level __proto__', '{"__proto__":{"polluted":1},"sector":"health","nationalIds":["AB123456"]}'],
    ['top-level __proto__ carrying the fields', '{"__proto__":{"sector":"health","nationalIds":["AB123456"]}}'],
    [
      'top-level constructor',
      '{"constructor":{"prototype":{"polluted":1}},"sector":"health","nationalIds":["AB123456"]}',
    ],
    ['__proto__ as a batch item', '{"sector":"health","nationalIds":["AB123456",{"__proto__":{"polluted":1}}]}'],
    ['__proto__ as nationalIds', '{"sector":"health","nationalIds":{"__proto__":{"polluted":1}}}'],
    ['__proto__ array trick', '{"sector":"health","nationalIds":{"__proto__":["AB123456"]}}'],
  ])(
    'when /v1/tokens/batch gets %s, then 400 invalid_request and Object.prototype stays clean',
    async (_name, body) => {
      expectCode(await postRaw('/v1/tokens/batch', body), 400, 'invalid_request');
      expectNotPolluted();
    },
  );

  it.each(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'])(
    'when the sector is named %s, then 404 unknown_sector (not a crash, not a token)',
    async (sector) => {
      expectCode(await tokenize('AB123456', sector), 404, 'unknown_sector');
      expectCode(
        await postRaw('/v1/tokens/batch', JSON.stringify({ sector, nationalIds: ['AB123456'] })),
        404,
        'unknown_sector',
      );
    },
  );
});

describe('oversized input', () => {
  it('when the body is 10 MB, then 413 payload_too_large', async () => {
    const body = `{"sector":"health","nationalId":"${'A'.repeat(10 * 1024 * 1024)}"}`;
    expectCode(await postRaw('/v1/tokens', body), 413, 'payload_too_large');
  });

  it('when a batch holds a million IDs, then 413 payload_too_large', async () => {
    const n = 1_000_000;
    const body = `{"sector":"health","nationalIds":[${'"AB123456",'.repeat(n - 1)}"AB123456"]}`;
    expect(body.length).toBeGreaterThan(10_000_000);
    const started = Date.now();
    expectCode(await postRaw('/v1/tokens/batch', body), 413, 'payload_too_large');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('when a batch of 1001 short IDs fits the body limit, then it is still refused with 413', async () => {
    const body = JSON.stringify({ sector: 'health', nationalIds: Array.from({ length: 1001 }, () => 'A1') });
    expectCode(await postRaw('/v1/tokens/batch', body), 413, 'payload_too_large');
  });

  it.each([
    ['257 characters', 'invalid_request', 'A'.repeat(257)],
    ['100 000 characters', 'invalid_request', 'AB'.repeat(50_000)],
    [
      '200 000 characters of spaces around an ID',
      'invalid_request',
      `${' '.repeat(100_000)}AB123456${' '.repeat(100_000)}`,
    ],
    ['65 characters', 'invalid_national_id', 'A' + '1'.repeat(64)],
    ['256 characters', 'invalid_national_id', 'AB' + '1'.repeat(254)],
  ])('when nationalId is %s long, then 400 %s', async (_name, code, nationalId) => {
    expectCode(await tokenize(nationalId), 400, code);
  });

  it('when the sector name is 100 000 characters, then 400 invalid_request', async () => {
    expectCode(await tokenize('AB123456', 's'.repeat(100_000)), 400, 'invalid_request');
  });

  it('when an unknown field name is 100 000 characters, then 400 invalid_request', async () => {
    expectCode(
      await postRaw('/v1/tokens', `{"sector":"health","nationalId":"AB123456","${'k'.repeat(100_000)}":1}`),
      400,
      'invalid_request',
    );
  });

  it('when a batch holds one string above 256 characters, then 400 invalid_request', async () => {
    expectCode(
      await postRaw(
        '/v1/tokens/batch',
        JSON.stringify({ sector: 'health', nationalIds: ['AB123456', 'A'.repeat(10_000)] }),
      ),
      400,
      'invalid_request',
    );
  });
});

describe('Unicode look-alikes and invisible characters', () => {
  const LOOK_ALIKES: [string, string][] = [
    ['Cyrillic А and В', '\u0410\u0412123456'],
    ['Cyrillic А alone', '\u0410B123456'],
    ['Greek Α', '\u0391B123456'],
    ['full-width digits', 'AB\uff11\uff12\uff13\uff14\uff15\uff16'],
    ['one full-width digit', 'AB12345\uff16'],
    ['full-width letters', '\uff21\uff22123456'],
    ['Arabic-Indic digits', 'AB\u0661\u0662\u0663\u0664\u0665\u0666'],
    ['Extended Arabic-Indic digits', 'AB\u06f1\u06f2\u06f3'],
    ['Devanagari digits', 'AB\u0967\u0968\u0969'],
    ['mathematical bold letters', '\u{1d400}\u{1d401}123456'],
    ['superscript digits', 'AB\u00b9\u00b2\u00b3'],
    ['circled digits', 'AB\u2460\u2461'],
    ['Roman numeral one', 'AB\u2160'],
    ['zero-width joiner inside', 'AB\u200d123456'],
    ['zero-width joiner at the end', 'AB123456\u200d'],
    ['zero-width space at the start', '\u200bAB123456'],
    ['zero-width non-joiner', 'A\u200cB123456'],
    ['word joiner', 'AB\u2060123456'],
    ['soft hyphen', 'AB\u00ad123456'],
    ['right-to-left override', '\u202eAB123456'],
    ['dotless ı (upper-cases to I in JS)', '\u0131B123456'],
    ['long s ſ (upper-cases to S in JS)', '\u017fB123456'],
    ['Kelvin sign K (lower-cases to k)', '\u212a1234'],
    ['German ß (upper-cases to SS)', '\u00df1'],
    ['ligature ﬀ', '\ufb001'],
    ['combining acute on a letter', 'A\u0301B123456'],
    ['combining mark at the end', 'AB123456\u0301'],
    ['combining enclosing circle', 'AB1\u20dd'],
    ['lone high surrogate', 'AB12\ud800'],
    ['emoji', 'AB\u{1f600}1'],
    // DERIVATION.md §2 trims ASCII white space only: Unicode spaces are not trimmed.
    ['no-break spaces around it', '\u00a0AB123456\u00a0'],
    ['an ideographic space before it', '\u3000AB123456'],
    ['a byte-order mark before it', '\ufeffAB123456'],
    ['a line separator after it', 'AB123456\u2028'],
    ['an en quad inside', 'AB\u2000123456'],
  ];

  it.each(LOOK_ALIKES)('when the national ID has %s, then 400 invalid_national_id', async (_name, nationalId) => {
    expectCode(await tokenize(nationalId), 400, 'invalid_national_id');
  });

  it('when a batch holds only look-alikes, then every item is invalid_national_id', async () => {
    const res = await postRaw(
      '/v1/tokens/batch',
      JSON.stringify({ sector: 'health', nationalIds: LOOK_ALIKES.map(([, id]) => id) }),
    );
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual(LOOK_ALIKES.map(() => ({ error: 'invalid_national_id' })));
  });

  it('when look-alikes come as JSON \\u escapes, then they are refused the same way', async () => {
    expectCode(
      await postRaw('/v1/tokens', '{"sector":"health","nationalId":"\\u0410\\u0412123456"}'),
      400,
      'invalid_national_id',
    );
    expectCode(
      await postRaw('/v1/tokens', '{"sector":"health","nationalId":"AB\\uFF11\\uFF12"}'),
      400,
      'invalid_national_id',
    );
    expectCode(await postRaw('/v1/tokens', '{"sector":"health","nationalId":"AB\\uD800"}'), 400, 'invalid_national_id');
  });

  it('when the sector name is a look-alike of a real one, then 404 unknown_sector', async () => {
    expectCode(await tokenize('AB123456', 'h\u0435alth'), 404, 'unknown_sector'); // Cyrillic е
    expectCode(await tokenize('AB123456', 'HEALTH'), 404, 'unknown_sector');
    expectCode(await tokenize('AB123456', 'health\u200d'), 404, 'unknown_sector');
  });
});

describe('empty and blank values', () => {
  it.each([
    ['empty', ''],
    ['one space', ' '],
    ['spaces', '        '],
    ['tabs and newlines', '\t\n\r\n'],
  ])('when the national ID is %s, then 400 invalid_national_id', async (_name, nationalId) => {
    expectCode(await tokenize(nationalId), 400, 'invalid_national_id');
  });

  it('when a batch holds empty and blank IDs, then each is invalid_national_id', async () => {
    const res = await postRaw(
      '/v1/tokens/batch',
      JSON.stringify({ sector: 'health', nationalIds: ['', ' ', '\t', 'AB123456'] }),
    );
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { error: 'invalid_national_id' },
      { error: 'invalid_national_id' },
      { error: 'invalid_national_id' },
      { token: reference },
    ]);
  });

  it('when the sector is empty or blank, then 4xx and no token', async () => {
    expectCode(await tokenize('AB123456', ''), 400, 'invalid_request');
    expectCode(await tokenize('AB123456', ' '), 404, 'unknown_sector');
  });
});

describe('deeply nested JSON', () => {
  it.each([
    ['10 000 nested arrays as the body', '['.repeat(10_000) + ']'.repeat(10_000), 400],
    ['100 000 nested arrays as the body', '['.repeat(100_000) + ']'.repeat(100_000), 400],
    ['10 000 nested objects as the body', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), 400],
    [
      '10 000 nested arrays as nationalId',
      `{"sector":"health","nationalId":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      400,
    ],
    [
      '10 000 nested objects as sector',
      `{"sector":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"nationalId":"AB123456"}`,
      400,
    ],
    ['10 000 unclosed arrays', '['.repeat(10_000), 400],
  ])('when the body holds %s, then a 4xx, not a crash', async (_name, body, status) => {
    const res = await postRaw('/v1/tokens', body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code: 'invalid_request', message: expect.any(String) } });
    const batch = await postRaw('/v1/tokens/batch', body);
    expect(batch.status).toBe(status);
  });

  it('when nationalIds holds 10 000 nested arrays, then 400 invalid_request', async () => {
    expectCode(
      await postRaw('/v1/tokens/batch', `{"sector":"health","nationalIds":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
      400,
      'invalid_request',
    );
  });
});

describe('duplicate keys', () => {
  it('when nationalId appears twice, then the answer is a 400 or the token of exactly one of them (the last, as JSON.parse reads it)', async () => {
    const res = await postRaw('/v1/tokens', '{"sector":"health","nationalId":"QQ1","nationalId":"AB123456"}');
    expect([200, 400]).toContain(res.status);
    if (res.status === 200) expect(res.body.token).toBe(reference);
    else expect(res.body.error.code).toBe('invalid_request');
  });

  it('when sector appears twice (allowed first, forbidden last), then the client gets no token of the forbidden sector', async () => {
    const res = await postRaw('/v1/tokens', '{"sector":"health","sector":"tax","nationalId":"AB123456"}');
    // Authorization and tokenization must look at the same value: either refused, or the health token.
    if (res.status === 200) {
      expect(res.body).toEqual({ sector: 'health', token: reference, keyVersion: 1, schemeVersion: 1 });
    } else {
      expect([400, 403]).toContain(res.status);
      expect(res.body.token).toBeUndefined();
    }
  });

  it('when sector appears twice (forbidden first, allowed last), then the answer is consistent with one value', async () => {
    const res = await postRaw('/v1/tokens', '{"sector":"tax","sector":"health","nationalId":"AB123456"}');
    if (res.status === 200)
      expect(res.body).toEqual({ sector: 'health', token: reference, keyVersion: 1, schemeVersion: 1 });
    else expect([400, 403]).toContain(res.status);
  });

  it('when __proto__ appears twice, then 400 invalid_request', async () => {
    expectCode(
      await postRaw(
        '/v1/tokens',
        '{"__proto__":{"a":1},"__proto__":{"polluted":1},"sector":"health","nationalId":"AB123456"}',
      ),
      400,
      'invalid_request',
    );
  });
});

describe('NUL bytes', () => {
  it.each([
    ['at the end', 'AB123456\u0000'],
    ['at the start', '\u0000AB123456'],
    ['inside', 'AB\u0000123456'],
    ['alone', '\u0000'],
    ['many', '\u0000'.repeat(200)],
  ])('when the national ID has a NUL %s (JSON-escaped), then 400 invalid_national_id', async (_name, nationalId) => {
    expectCode(await tokenize(nationalId), 400, 'invalid_national_id');
  });

  it('when the sector has a NUL, then 404 unknown_sector', async () => {
    expectCode(await tokenize('AB123456', 'health\u0000'), 404, 'unknown_sector');
  });

  it('when a field name has a NUL, then 400 invalid_request', async () => {
    expectCode(
      await postRaw('/v1/tokens', '{"sector":"health","nationalId\\u0000":"AB123456"}'),
      400,
      'invalid_request',
    );
  });

  it('when a raw NUL byte sits between JSON tokens, then 400 invalid_request', async () => {
    expectCode(
      await postRaw('/v1/tokens', Buffer.from('{"sector":"health",\u0000"nationalId":"AB123456"}')),
      400,
      'invalid_request',
    );
  });
});
