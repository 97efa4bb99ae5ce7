/**
 * ESM + ts-jest; run with NODE_OPTIONS=--experimental-vm-modules (see package.json). This config is
 * every test; `npm run test:unit` and `npm run test:system` run the two halves of it
 * (jest.unit.config.js, jest.system.config.js; which file is which: test/suites.mjs).
 */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testTimeout: 30000,
  // The suite fails if it wrote into the clone (audit/, keys/, files in the root): test/cleanClone.mjs.
  globalSetup: '<rootDir>/test/globalSetup.mjs',
  globalTeardown: '<rootDir>/test/globalTeardown.mjs',
};
