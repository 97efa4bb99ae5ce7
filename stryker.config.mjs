/**
 * Mutation testing (StrykerJS, `npm run mutate`; docs/MUTATION.md): not run by `npm test`. Each
 * folder is mutated against the tests that are meant to kill its mutants, and only those: with
 * coverageAnalysis 'perTest' each mutant then runs just the tests that reach it. Choose folders
 * with MUTATE=access,dualControl (default: all five); `--mutate src/x.ts:10-20` narrows the code,
 * MUTATE_TESTS=test/a.test.ts,test/b.test.ts the tests.
 * The jest config is jest.config.js with testMatch narrowed to the chosen files and without the
 * clean-clone check.
 */
import jestConfig from './jest.config.js';

// The clean-clone check (test/cleanClone.mjs) asks git about the clone; Stryker's sandbox is no clone.
// (null, not left out: the jest runner merges this config over the one it finds in jest.config.js.)
const base = { ...jestConfig, globalSetup: null, globalTeardown: null };

/**
 * Folder of src/ → the test files that kill its mutants: in-process ones only. A test that runs
 * the CLI runs dist/, which Stryker neither mutates nor copies, so it could not kill a mutant.
 */
export const TARGETS = {
  access: ['test/access/**/*.test.ts'],
  dualControl: ['test/dualControl/**/*.test.ts', 'test/acts/requestLife.test.ts'],
  // Not test/redis/limitsOutage.test.ts (private redis-servers stopped and started: about an hour a
  // run): test/limits/sharedLimits.test.ts reaches the same paths in process (connections closed,
  // Redis unreachable), test/limits/outageBudget.test.ts the outage budget with a clock of its own.
  limits: ['test/limits/**/*.test.ts', 'test/redis/limits.test.ts'],
  acts: ['test/acts/**/*.test.ts'],
  audit: [
    // src/audit/chain and src/audit/reader
    'auditReader',
    'chain',
    'chainEdges',
    'lines',
    'readerJobs',
    'readerLife',
    'readQuery',
    'readVerified',
    'recordLine',
    'smallest',
    'tamper',
    'tokenForAudit',
    'verifyRules',
    'verifyWorkers',
    // src/audit/writer: in process only (integrity.test.ts and faults.test.ts also run the built CLI, not copied here).
    'writerLog',
    'writerLock',
    'refusals',
    'writerParts',
    'writerFaults',
  ]
    .map((name) => `test/audit/${name}.test.ts`)
    .concat('test/console/stats.test.ts'),
};

const chosen = (process.env.MUTATE ?? Object.keys(TARGETS).join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const folder of chosen)
  if (!(folder in TARGETS))
    throw new Error(`MUTATE: no such folder ${folder} (one of ${Object.keys(TARGETS).join(', ')})`);

/**
 * MUTATE_TESTS=test/audit/lines.test.ts,test/audit/chainEdges.test.ts runs only those test files
 * (paths or globs from the repository's root) instead of the folders' targets: a few source files
 * measured against the tests that reach them, in minutes rather than hours (docs/MUTATION.md).
 */
const onlyTests = (process.env.MUTATE_TESTS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const testFiles = onlyTests.length > 0 ? onlyTests : [...new Set(chosen.flatMap((folder) => TARGETS[folder]))];

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // ESM under jest needs the flag in the test runner's process (child of Stryker).
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  coverageAnalysis: 'perTest',
  mutate: chosen.map((folder) => `src/${folder}/**/*.ts`),
  jest: {
    projectType: 'custom',
    enableFindRelatedTests: false,
    config: {
      ...base,
      testMatch: testFiles.map((glob) => `<rootDir>/${glob}`),
      // Never per mutant: every client × act × sector through HTTP, minutes a run (src/access has unit tests of its own).
      testPathIgnorePatterns: ['/node_modules/', '/test/acts/authorization\\.test\\.ts$'],
    },
  },
  // Two shared cores: one test runner, so that a run does not starve everyone else's tests.
  concurrency: 1,
  timeoutMS: 10000,
  timeoutFactor: 2,
  // A static mutant (a module-level constant, such as a row of a rule table) reruns all of the
  // folder's tests: affordable with these small sets, and such rows are what most needs killing.
  ignoreStatic: false,
  // Root folders only (gitignore syntax: a bare 'keys' would leave out src/keys/ too).
  // dist/ is copied for the audit folder only: its reader thread runs the built code
  // (dist/audit/reader/readerThread.js), and the audit tests of HTTP reads go through it (`npm run build`
  // first; unmutated there, so a mutant of src/audit/reader is killed only by a test calling it in process).
  ignorePatterns: [
    ...(chosen.includes('audit') ? [] : ['/dist']),
    '/coverage',
    '/reports',
    '/console',
    '/bench',
    '/.bench-dist',
    '/audit',
    '/keys',
    '/.sectoken',
  ],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
