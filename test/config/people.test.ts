/**
 * People and organisations are compared in one canonical form (src/config/canonicalName.ts): the
 * spellings a person might type of one name agree, and a configuration that holds two spellings
 * of one person or organisation is refused naming both clients — by the schema, by `serve` and by
 * `clients add`, through the real CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalName } from '../../src/config/canonicalName.js';
import { parseConfig } from '../../src/config/schema.js';
import { runCli } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';
import { spellingsOf } from '../helpers/spellings.js';
import { problemOf } from './problemOf.js';

const HELENE = 'Hélène Dupont';
const YOUSSEF = 'Youssef Alaoui (inspector)';

describe('canonicalName', () => {
  it.each(spellingsOf(HELENE).concat(spellingsOf(YOUSSEF)))(
    'when a name is typed %s, then it is the same name',
    (_how, typed) => {
      const original = [HELENE, YOUSSEF].find((n) => canonicalName(n) === canonicalName(typed));
      expect(original).toBeDefined();
      expect(canonicalName(typed)).toBe(canonicalName(original!));
    },
  );

  it('folds beyond toLowerCase (ß, final sigma) and keeps different people apart', () => {
    expect(canonicalName('Weiß')).toBe(canonicalName('WEISS'));
    expect(canonicalName('ΟΔΥΣΣΕΥΣ')).toBe(canonicalName('οδυσσευς'));
    expect(canonicalName('Hélène Dupont')).not.toBe(canonicalName('Helene Dupont'));
    expect(canonicalName('Amal Bennani')).not.toBe(canonicalName('Amal Benani'));
    expect(canonicalName('  Amal \n Bennani ')).toBe('amal bennani');
  });
});

type Raw = Record<string, any>;
/** The sample with a second regulator whose `field` is `typed`. */
function withRegulator(field: 'person' | 'organisation', typed: string, original?: string): Raw {
  const config = devConfig() as Raw;
  const first = config.clients.find((c: Raw) => c.id === 'regulator-health');
  if (original !== undefined) first[field] = original;
  const copy = { ...first, id: 'regulator-twin', apiKeySha256: 'ab'.repeat(32), [field]: typed };
  config.clients.push(copy);
  return config;
}

describe('a configuration with two spellings of one name', () => {
  it.each(spellingsOf(HELENE))(
    'when a second regulator types the person %s (accented), then it is refused naming both clients',
    (_how, typed) => {
      expect(problemOf(withRegulator('person', typed, HELENE))).toMatch(
        /clients\."regulator-twin"\.person: clients "regulator-health" and "regulator-twin" name one person typed two ways/,
      );
    },
  );

  it.each(spellingsOf(YOUSSEF))(
    'when a second regulator types the person %s, then it is refused naming both clients',
    (_how, typed) => {
      expect(problemOf(withRegulator('person', typed))).toMatch(
        /clients\."regulator-twin"\.person: clients "regulator-health" and "regulator-twin" name one person typed two ways/,
      );
    },
  );

  it.each(spellingsOf('Health inspectorate'))(
    'when a second regulator types the organisation %s, then it is refused naming both clients',
    (_how, typed) => {
      expect(problemOf(withRegulator('organisation', typed))).toMatch(
        /clients\."regulator-twin"\.organisation: clients "regulator-health" and "regulator-twin" name one organisation typed two ways/,
      );
    },
  );

  it('when two keys name one person typed the same, or two different people, then it is accepted', () => {
    expect(() => parseConfig(withRegulator('person', YOUSSEF), 'same spelling')).not.toThrow();
    expect(() => parseConfig(withRegulator('person', 'Youssef Alaoui (auditor)'), 'another person')).not.toThrow();
  });

  it('when `serve` reads such a configuration, or `clients add` would make one, then each refuses naming both clients, without a stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectoken-people-'));
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(withRegulator('person', YOUSSEF.toLowerCase())));
    const served = runCli(['serve'], { SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: join(dir, 'keyring.json') });
    expect(served.status).toBe(1);
    expect(served.stderr).toMatch(/clients "regulator-health" and "regulator-twin" name one person typed two ways/);
    expect(served.stderr).not.toMatch(/\n\s+at /);

    writeFileSync(configPath, JSON.stringify(devConfig()));
    const added = runCli(
      [
        'clients',
        'add',
        '--id',
        'regulator-twin',
        '--role',
        'regulator',
        '--sectors',
        'health',
        '--person',
        YOUSSEF.normalize('NFD').toUpperCase(),
        '--organisation',
        'Health inspectorate',
      ],
      {
        SECTOKEN_CONFIG: configPath,
      },
    );
    expect(added.status).toBe(1);
    expect(added.stdout).toBe(''); // no API key is handed out for a client that was not added
    expect(added.stderr).toMatch(/clients "regulator-health" and "regulator-twin" name one person typed two ways/);
    expect(added.stderr).not.toMatch(/\n\s+at /);
  });
});
