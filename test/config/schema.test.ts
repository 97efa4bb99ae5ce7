import { parseConfig } from '../../src/config/schema.js';
import { devConfig } from '../helpers/service.js';
import { problemOf } from './problemOf.js';

type Raw = Record<string, any>;
const withChange = (change: (c: Raw) => void): Raw => {
  const config = devConfig() as Raw;
  change(config);
  return config;
};

describe('configuration validation', () => {
  it('accepts the sample configuration', () => {
    const config = parseConfig(devConfig(), 'sample');
    expect(Object.keys(config.sectors)).toEqual(['health', 'tax', 'finance', 'social', 'telecom', 'civil']);
    expect(config.limits.maxBatchSize).toBe(1000);
  });

  it('leaves the in-process token LRU off unless configured, in the sample as by default (README, Performance: it cost more than it saved)', () => {
    expect(parseConfig(devConfig(), 'sample').cache).toEqual({
      lruEntries: 0,
      redis: { reversible: false, 'one-way': false },
      ttlSeconds: 86400,
    });
    const { cache: _cache, ...withoutCache } = devConfig() as Record<string, unknown>;
    expect(parseConfig(withoutCache, 'no cache section').cache.lruEntries).toBe(0);
  });

  it.each<[string, (c: Raw) => void, RegExp]>([
    ['an unknown policy', (c) => (c.sectors.health.policy = 'magic'), /sectors\.health\.policy/],
    ['an unknown alphabet', (c) => (c.sectors.tax.alphabet = 'emoji'), /sectors\.tax\.alphabet/],
    [
      'a one-way token under 96 bits',
      (c) => (c.sectors.social.length = 20),
      /sectors\.social\.length: carries 90\.0 bits; a one-way token needs at least 96/,
    ],
    [
      'a one-way token over 128 bits',
      (c) => (c.sectors.telecom.length = 45),
      /sectors\.telecom\.length: .*at most 128/,
    ],
    [
      'an FF1 domain under 10^6',
      (c) => (c.sectors.health.length = 7),
      /sectors\.health\.length: gives an FF1 domain of 10\^5 = 100000; .*10\^6/,
    ],
    [
      'an FF1 domain that cannot hold every TNI',
      (c) => (c.sectors.tax.length = 7),
      /sectors\.tax\.length: gives an FF1 domain of 36\^5/,
    ],
    [
      'a client of an unknown sector',
      (c) => (c.clients[0].sectors = ['health', 'space']),
      /clients\.0\.sectors\.1: unknown sector "space"/,
    ],
    ['an unknown role', (c) => (c.clients[1].role = 'root'), /clients\.1\.role/],
    ['a duplicate client id', (c) => (c.clients[1].id = c.clients[0].id), /clients\.1\.id: duplicate client id/],
    [
      'a shared API key',
      (c) => (c.clients[1].apiKeySha256 = c.clients[0].apiKeySha256),
      /clients\.1\.apiKeySha256: two clients share one API key/,
    ],
    ['an unknown field', (c) => (c.sectors.health.colour = 'red'), /sectors\.health/],
    ['a malformed sector id', (c) => (c.sectors['Bad Sector'] = c.sectors.tax), /sectors\.Bad Sector/],
    [
      'an auditor with sectors',
      (c) => (c.clients[6].sectors = ['tax']),
      /clients\.6\.sectors: an auditor has no sectors/,
    ],
    ['a batch size of zero', (c) => (c.limits.maxBatchSize = 0), /limits\.maxBatchSize/],
    [
      'a regulator without its accountable person',
      (c) => delete c.clients.find((x: Raw) => x.id === 'regulator-health').person,
      /clients\.5\.person: a regulator names its accountable person/,
    ],
    [
      'a regulator without its organisation',
      (c) => delete c.clients.find((x: Raw) => x.id === 'regulator-cndp').organisation,
      /clients\.4\.organisation: a regulator names its accountable organisation/,
    ],
    [
      'a blank person',
      (c) => (c.clients.find((x: Raw) => x.id === 'regulator-cndp').person = '   '),
      /clients\.4\.person: printable text, not blank/,
    ],
    [
      'a control character in an organisation',
      (c) => (c.clients.find((x: Raw) => x.id === 'regulator-cndp').organisation = 'CNDP\u0007'),
      /clients\.4\.organisation/,
    ],
    [
      'an approver rule that is not a boolean',
      (c) => (c.legalBases[0].approverFromOtherOrganisation = 'yes'),
      /legalBases\.0\.approverFromOtherOrganisation/,
    ],
  ])('refuses %s, naming the field', (_name, change, message) => {
    expect(problemOf(withChange(change))).toMatch(message);
  });
});
