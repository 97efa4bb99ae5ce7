/**
 * The allowed arrows between the folders of src/ (README "Layout"), checked by `npm run deps`,
 * which `npm test` runs first. Each layer may import only layers below it; the pure floors
 * (derivation, crypto) import nothing with state or I/O.
 *
 *   composition  cli/ (with cli/bulk/) cli.ts server.ts service.ts shutdown.ts (cli/ imported by cli.ts only)
 *   edge         http/
 *   use cases    acts/
 *   stores       store/ limits/
 *   domain       dualControl/ audit/ access/
 *   settings     config/
 *   pure         derivation/ → keys/ → crypto/
 *   ground       errors.ts log.ts metrics.ts fileReason.ts
 */
/**
 * The pure files, named file by file where a folder mixes pure and I/O (keys/: the keyring's
 * derivations are pure, keys/store.ts reads and writes files): derivation/, crypto/, the keyring's
 * pure files and the error union. A new file of keys/ is not pure until it is named here.
 */
const PURE = '^src/(derivation/|crypto/|keys/(derive|keyring|fingerprint|seal)\\.ts$|errors\\.ts$)';

/** The API contract and what it imports: node-free, since the console's type check reads them (console/src/api.ts). */
const NODE_FREE =
  '^src/(http/(contract|schemas|blindSchemas|freeText)|audit/chain/(acts|files)|dualControl/states|config/names|access/actions|errors)\\.ts$';

const LAYERS = [
  ['ground', '^src/(errors|log|metrics|fileReason)\\.ts$'],
  ['crypto', '^src/crypto/'],
  ['keys', '^src/keys/'],
  ['derivation', '^src/derivation/'],
  // The blind-token client library (package export ./blind-client): the pure derivation and fetch, nothing of the server.
  ['client', '^src/client/'],
  ['config', '^src/config/'],
  ['domain', '^src/(access|audit|dualControl)/'],
  ['stores', '^src/(store|limits)/'],
  ['acts', '^src/acts/'],
  ['http', '^src/http/'],
  ['composition', '^src/(cli/|cli\\.ts$|server\\.ts$|service\\.ts$|shutdown\\.ts$)'],
];

/** No layer imports one above it. */
const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `no-up-from-${name}`,
  comment: `${name} imports only the layers below it`,
  severity: 'error',
  from: { path },
  to: {
    path: LAYERS.slice(i + 1)
      .map(([, above]) => above)
      .join('|'),
  },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'cli-is-the-top',
      comment: 'the command line starts the server, never the other way: only cli.ts and cli/ import cli/',
      severity: 'error',
      from: { pathNot: '^src/(cli/|cli\\.ts$)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'derivation-is-pure',
      comment: 'the derivation imports nothing but crypto/, keys/ and the error union (and keys/ only its pure files)',
      severity: 'error',
      from: { path: '^src/derivation/' },
      to: { path: '^src/', pathNot: '^src/(derivation|crypto|keys)/|^src/errors\\.ts$' },
    },
    {
      name: 'pure-imports-pure',
      comment: 'a pure file (named one by one in PURE) imports only pure files: not keys/store.ts, which reads files',
      severity: 'error',
      from: { path: PURE },
      to: { path: '^src/', pathNot: PURE },
    },
    {
      name: 'pure-without-io',
      comment: 'a pure file reads no file, network, process or clock: node:crypto, @noble, zod and libsodium only',
      severity: 'error',
      from: { path: PURE },
      to: {
        dependencyTypes: ['npm', 'core'],
        pathNot: '^(node:)?crypto$|^@noble/|(^|/)node_modules/(@noble/|zod/|libsodium)',
      },
    },
    {
      name: 'routes-call-use-cases',
      comment: 'a route parses, calls a use case and presents: it reaches the domain only through acts/',
      severity: 'error',
      from: { path: '^src/http/routes/' },
      to: { path: '^src/(audit|requests|store|limits|derivation|crypto|keys)/' },
    },
    {
      name: 'contract-is-node-free',
      comment: 'the API contract imports only zod and node-free constants: the console type-checks against it',
      severity: 'error',
      from: { path: NODE_FREE },
      to: { pathNot: `${NODE_FREE}|(^|/)node_modules/zod/` },
    },
    {
      name: 'no-circular',
      comment: 'no file imports itself through others',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|console|scripts|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
