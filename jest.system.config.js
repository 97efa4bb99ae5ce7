/** The system suite (`npm run test:system`): every test file test/suites.mjs does not list as unit. Needs the build (dist/), Redis, gcc and Chromium. */
import { fileURLToPath } from 'node:url';
import base from './jest.config.js';
import { unitPatterns } from './test/suites.mjs';

export default {
  ...base,
  // Jest's default on two cores is one worker; most of these tests wait on processes they started
  // (servers, the CLI, redis-server, Chromium), so two files at once use the second core: measured
  // one after the other under the same parallel load: 12.6 min serial, 9.1 min with two (CPU time alike).
  maxWorkers: 2,
  testPathIgnorePatterns: [
    '/node_modules/',
    ...unitPatterns(fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '')),
  ],
};
