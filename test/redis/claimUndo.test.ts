/**
 * The claim → record → confirm or undo protocol (src/acts/requests/recordedClaim.ts) on the Redis
 * request store (src/store/redisRequests.ts), the same cases as on the in-process store
 * (test/acts/claimUndoCases.ts says what is checked).
 */
import { randomBytes } from 'node:crypto';
import { connectRedis, type SharedRedis } from '../../src/store/redis.js';
import { redisRequestStore } from '../../src/store/redisRequests.js';
import { claimUndoCases } from '../acts/claimUndoCases.js';
import { redisSettings, sharedRedis, waitFor, type SharedTestRedis } from './helpers.js';

let shared: SharedTestRedis;
let redis: SharedRedis;
const root = randomBytes(32);

beforeAll(async () => {
  shared = await sharedRedis();
  const connected = connectRedis(redisSettings({ url: shared.url }, shared.prefix));
  if (!connected) throw new Error('no Redis settings');
  redis = connected;
  await waitFor(() => redis.client.status === 'ready', 'the Redis connection');
});
afterAll(async () => {
  await redis.close();
  await shared.cleanup();
});

claimUndoCases(() => redisRequestStore(redis, root));
