/**
 * Which test files are the unit suite: the one list, read by jest.unit.config.js,
 * jest.system.config.js and test/suites.test.ts. A unit test needs no build, no Redis, no CLI
 * process, no browser and no running service (reading the files under test/vectors/ is fine);
 * the whole unit suite runs in seconds. Everything not listed here is the system suite, so a new
 * test file is a system test until it is added here. A file named `*.sweep.test.ts` (a long
 * property or exhaustive sweep) is a system test wherever it is, a listed folder included.
 *
 * Entries are paths from the package root: a folder (ending in `/`: every test file under it) or
 * one file.
 */
export const UNIT = [
  'test/crypto/',
  'test/derivation/blind/',
  'test/derivation/blindReference.test.ts',
  'test/derivation/checkCharacter.test.ts',
  'test/derivation/derivation.test.ts',
  'test/derivation/nationalId.test.ts',
  'test/derivation/retiredVersions.test.ts',
  'test/derivation/ruleMutants.test.ts',
  'test/derivation/tokenizer.test.ts',
  'test/log/',
  'test/keys/fingerprint.test.ts',
  'test/keys/seal.test.ts',
  'test/keys/sealNonce.test.ts',
  'test/access/apiKeys.test.ts',
  'test/access/devKeys.test.ts',
  'test/access/legalBases.test.ts',
  'test/access/principalCache.test.ts',
  'test/access/rules.test.ts',
  'test/limits/outageBudget.test.ts',
  'test/limits/windows.test.ts',
  'test/dualControl/decider.test.ts',
  'test/dualControl/lifeEdges.test.ts',
  'test/audit/chainEdges.test.ts',
  'test/audit/readerJobs.test.ts',
  'test/audit/readQuery.test.ts',
  'test/audit/recordLine.test.ts',
  'test/audit/smallest.test.ts',
  'test/audit/refusals.test.ts',
  'test/audit/writerLock.test.ts',
  'test/audit/writerLog.test.ts',
  'test/audit/writerParts.test.ts',
  'test/acts/actParts.test.ts',
  'test/acts/auditActs.test.ts',
  'test/acts/blind.test.ts',
  'test/acts/claimUndo.test.ts',
  'test/acts/derivationQueue.test.ts',
  'test/acts/expire.test.ts',
  'test/acts/readRequests.test.ts',
  'test/acts/tokens.test.ts',
  'test/config/schema.test.ts',
  'test/config/emptySettings.test.ts',
  'test/http/batchBody.test.ts',
  'test/console/stats.test.ts',
  'test/console/pure/',
  'test/server/drain.test.ts',
  'test/suites.test.ts',
];

/** Always system, even under a unit folder. */
export const SYSTEM_SUFFIX = '.sweep.test.ts';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a test file (a path from the package root, `/`-separated) is in the unit suite. */
export function isUnit(rel) {
  if (rel.endsWith(SYSTEM_SUFFIX)) return false;
  return UNIT.some((entry) => (entry.endsWith('/') ? rel.startsWith(entry) : rel === entry));
}

/**
 * The same as regular expressions over absolute paths under `root` (the package root, no
 * trailing `/`): the unit config's `testRegex`, the system config's `testPathIgnorePatterns`.
 */
export function unitPatterns(root) {
  const at = escape(`${root}/`);
  return UNIT.map((entry) =>
    entry.endsWith('/')
      ? `^${at}${escape(entry)}(?!.*${escape(SYSTEM_SUFFIX)}$).*\\.test\\.ts$`
      : `^${at}${escape(entry)}$`,
  );
}
