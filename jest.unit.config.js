/** The unit suite (`npm run test:unit`): the files test/suites.mjs lists; no build, no Redis, no processes. */
import { fileURLToPath } from 'node:url';
import base from './jest.config.js';
import { unitPatterns } from './test/suites.mjs';

const { testMatch: _all, ...rest } = base;
export default { ...rest, testRegex: unitPatterns(fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '')) };
