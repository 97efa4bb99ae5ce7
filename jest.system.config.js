/** The system suite (`npm run test:system`): every test file test/suites.mjs does not list as unit. Needs the build (dist/), Redis, gcc and Chromium. */
import { fileURLToPath } from 'node:url';
import base from './jest.config.js';
import { unitPatterns } from './test/suites.mjs';

export default {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    ...unitPatterns(fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '')),
  ],
};
