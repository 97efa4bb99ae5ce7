/**
 * createRateLimits (src/limits/rateLimits.ts) over a real Redis (its own key prefix), in process:
 * windows counted in Redis under the service's prefix; when Redis cannot be asked (its connection
 * closed, or the probes say it is unreachable), tokenization goes on within the outage budget,
 * never more than Redis last said was left nor more than 1 % of a daily quota, while reverse,
 * translate and refusals fail closed with limits_unavailable; identities are asked on the
 * service's main connection, the others on the patient one. The same through the service, with a
 * redis-server stopped: test/redis/limitsOutage.test.ts.
 */
import { Redis } from 'ioredis';
import type { Config, Operation } from '../../src/config/schema.js';
import { createRateLimits, type RateLimits } from '../../src/limits/rateLimits.js';
import type { SharedRedis } from '../../src/store/redis.js';
import { sharedRedis, waitFor, type SharedTestRedis } from '../redis/helpers.js';

const w = (points: number, perSeconds: number) => ({ points, perSeconds });
const DAY = 86400;

let shared: SharedTestRedis;
const opened: Redis[] = [];
beforeAll(async () => {
  shared = await sharedRedis();
});
afterAll(async () => {
  for (const client of opened) if (client.status !== 'end') await client.quit();
  await shared?.cleanup();
});

interface Setup {
  limits: RateLimits;
  /** Closes the main connection (identities) or the patient one (the others): Redis cannot be asked on it. */
  drop: (which: 'client' | 'patient') => void;
  /** What the probes say: false as after several missed ones. */
  setReachable: (value: boolean) => void;
  limited: Operation[];
  prefix: string;
}

let instances = 0;
/** Limits over Redis as a service makes them, its connections the service's own (no offline queue, no retry). */
async function setup(rateLimits: Config['rateLimits']): Promise<Setup> {
  const connect = (): Redis => {
    const client = new Redis(shared.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: false });
    client.on('error', () => undefined);
    opened.push(client);
    return client;
  };
  const client = connect();
  const patient = connect();
  await waitFor(() => client.status === 'ready' && patient.status === 'ready', 'both connections ready');
  let reachable = true;
  const prefix = `${shared.prefix}${++instances}:`;
  const redis: SharedRedis = {
    client,
    patient,
    prefix,
    state: () => 'ok',
    reachable: () => reachable,
    close: async () => undefined,
  };
  const limited: Operation[] = [];
  const limits = createRateLimits({ rateLimits }, redis, (op) => limited.push(op));
  return {
    limits,
    limited,
    prefix,
    drop: (which) => (which === 'client' ? client : patient).disconnect(),
    setReachable: (value) => {
      reachable = value;
    },
  };
}

/** 'ok', or the refusal's code and retry time. */
async function attempt(limits: RateLimits, client: string, sector: string, op: Operation, points = 1) {
  try {
    await limits.consume(client, sector, op, points);
    return 'ok';
  } catch (err) {
    const { code, retryAfter } = err as { code: string; retryAfter?: number };
    return retryAfter === undefined ? code : `${code} ${retryAfter}`;
  }
}
const attempts = async (limits: RateLimits, client: string, sector: string, op: Operation, times: number) => {
  const out: string[] = [];
  for (let i = 0; i < times; i++) out.push(await attempt(limits, client, sector, op));
  return out;
};

describe('the rate limits over Redis', () => {
  it("counts each window in Redis under the service's prefix, per client and sector", async () => {
    const { limits, prefix } = await setup({ defaults: { identities: [w(5, 60), w(1000, DAY)] }, clients: {} });
    await limits.consume('tax-backend', 'tax', 'identities', 3);
    expect(await shared.client.get(`${prefix}rl:default:identities:5:60:tax-backend:tax`)).toBe('3');
    expect(await shared.client.get(`${prefix}rl:default:identities:1000:86400:tax-backend:tax`)).toBe('3');
  });

  it('refuses by Redis past a window, and gives the points of a granted act back', async () => {
    const { limits, limited, prefix } = await setup({ defaults: { reverse: [w(1, 60)] }, clients: {} });
    const taken = await limits.consume('reg', 'tax', 'reverse', 1);
    expect((await attempt(limits, 'reg', 'tax', 'reverse')).startsWith('rate_limited ')).toBe(true);
    expect(limited).toEqual(['reverse']);
    await taken.giveBack();
    expect(await shared.client.get(`${prefix}rl:default:reverse:1:60:reg:tax`)).toBe('1');
    // The refused attempt counted too (2), the point given back took one off: one more is refused.
    expect((await attempt(limits, 'reg', 'tax', 'reverse')).startsWith('rate_limited ')).toBe(true);
    await taken.giveBack();
    await taken.giveBack();
    expect(await attempt(limits, 'reg', 'tax', 'reverse')).toBe('ok');
  });
});

describe('the limiters over Redis, made at start', () => {
  it('define their Lua command on both connections before any request (a pipeline begun before it crashes a burst: ioredis #1931)', async () => {
    const connect = (): Redis => {
      const client = new Redis(shared.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      opened.push(client);
      return client;
    };
    const [client, patient] = [connect(), connect()];
    const command = (c: Redis): unknown => (c as unknown as Record<string, unknown>).rlflxIncr;
    expect([typeof command(client), typeof command(patient)]).toEqual(['undefined', 'undefined']);
    const redis: SharedRedis = {
      client,
      patient,
      prefix: shared.prefix,
      state: () => 'ok',
      reachable: () => true,
      close: async () => undefined,
    };
    createRateLimits(
      { rateLimits: { defaults: { identities: [w(5, 60)] }, clients: { reg: { reverse: [w(1, 60)] } } } },
      redis,
      () => undefined,
    );
    expect([typeof command(client), typeof command(patient)]).toEqual(['function', 'function']);
  });
});

describe('when Redis cannot be asked', () => {
  it('tokenization goes on within what Redis last said was left, and at most 1 % of a daily quota', async () => {
    const { limits, drop, limited } = await setup({ defaults: { identities: [w(1000, DAY)] }, clients: {} });
    await limits.consume('a', 'tax', 'identities', 997);
    await limits.consume('b', 'tax', 'identities', 3);
    drop('client');
    const a = await attempts(limits, 'a', 'tax', 'identities', 4);
    expect(a.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    const retry = Number(a[3]!.split(' ')[1]);
    expect(a[3]!.startsWith('rate_limited ')).toBe(true);
    expect(retry).toBeGreaterThan(DAY - 600);
    expect(retry).toBeLessThanOrEqual(DAY);
    const b = await attempts(limits, 'b', 'tax', 'identities', 11);
    expect(b.slice(0, 10)).toEqual(Array(10).fill('ok'));
    expect(b[10]!.startsWith('rate_limited ')).toBe(true);
    expect(limited).toEqual(['identities', 'identities']);
    // Each sector of a client is a window of its own.
    expect(await attempts(limits, 'a', 'health', 'identities', 10)).toEqual(Array(10).fill('ok'));
  });

  it('a window Redis refused stays refused: what it said was left is nothing', async () => {
    const { limits, drop } = await setup({ defaults: { identities: [w(5, 60)] }, clients: {} });
    await limits.consume('a', 'tax', 'identities', 5);
    expect((await attempt(limits, 'a', 'tax', 'identities')).startsWith('rate_limited ')).toBe(true);
    drop('client');
    expect((await attempt(limits, 'a', 'tax', 'identities')).startsWith('rate_limited ')).toBe(true);
  });

  it('a refusal tells the outage budget what is left too: nothing, although the last grant left some', async () => {
    const { limits, drop } = await setup({ defaults: { identities: [w(10, 60)] }, clients: {} });
    await limits.consume('a', 'tax', 'identities', 8);
    // Refused (8 + 5 > 10), and counted by Redis all the same: the window is spent.
    expect((await attempt(limits, 'a', 'tax', 'identities', 5)).startsWith('rate_limited ')).toBe(true);
    drop('client');
    expect((await attempt(limits, 'a', 'tax', 'identities', 2)).startsWith('rate_limited ')).toBe(true);
  });

  it('reverse, translate and refusals fail closed, naming the Redis failure as the cause', async () => {
    const { limits, drop } = await setup({
      defaults: { reverse: [w(5, 60)], translate: [w(5, 60)], refusal: [w(5, 60)] },
      clients: {},
    });
    expect(await attempt(limits, 'reg', 'tax', 'reverse')).toBe('ok');
    drop('patient');
    for (const op of ['reverse', 'translate', 'refusal'] as const) {
      let thrown: unknown;
      try {
        await limits.consume('reg', 'tax', op, 1);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({
        code: 'limits_unavailable',
        message:
          'the shared rate limits (Redis) cannot be reached now, and this act is not done without them; try again later',
      });
      expect((thrown as Error).cause).toBeInstanceOf(Error);
    }
  });

  it('asks identities on the main connection and the others on the patient one', async () => {
    const patientDown = await setup({ defaults: { identities: [w(5, 60)], reverse: [w(5, 60)] }, clients: {} });
    patientDown.drop('patient');
    expect(await attempt(patientDown.limits, 'a', 'tax', 'identities', 3)).toBe('ok');
    expect(await shared.client.get(`${patientDown.prefix}rl:default:identities:5:60:a:tax`)).toBe('3');
    expect(await attempt(patientDown.limits, 'a', 'tax', 'reverse')).toBe('limits_unavailable');
    const clientDown = await setup({ defaults: { identities: [w(5, 60)], reverse: [w(5, 60)] }, clients: {} });
    clientDown.drop('client');
    expect(await attempt(clientDown.limits, 'a', 'tax', 'reverse')).toBe('ok');
    expect(await attempt(clientDown.limits, 'a', 'tax', 'identities', 3)).toBe('ok');
    expect(await shared.client.get(`${clientDown.prefix}rl:default:identities:5:60:a:tax`)).toBeNull();
  });

  it('once the probes say Redis is unreachable, nothing is asked of it: tokens within the share, the rest refused with no cause', async () => {
    const { limits, setReachable, prefix } = await setup({
      defaults: { identities: [w(5, 60)], reverse: [w(5, 60)] },
      clients: {},
    });
    setReachable(false);
    expect(await attempts(limits, 'a', 'tax', 'identities', 6)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      expect.stringMatching(/^rate_limited \d+$/),
    ]);
    expect(await shared.client.get(`${prefix}rl:default:identities:5:60:a:tax`)).toBeNull();
    let thrown: unknown;
    try {
      await limits.consume('reg', 'tax', 'reverse', 1);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'limits_unavailable' });
    expect((thrown as Error).cause).toBeUndefined();
    setReachable(true);
    expect(await attempt(limits, 'reg', 'tax', 'reverse')).toBe('ok');
  });

  it("uses a client's own windows in the outage budget too", async () => {
    const { limits, drop } = await setup({
      defaults: { identities: [w(5, 60)] },
      clients: { big: { identities: [w(8, 60)] } },
    });
    drop('client');
    expect(await attempts(limits, 'big', 'tax', 'identities', 9)).toEqual([
      ...Array(8).fill('ok'),
      expect.stringMatching(/^rate_limited \d+$/),
    ]);
    expect(await attempts(limits, 'small', 'tax', 'identities', 6)).toEqual([
      ...Array(5).fill('ok'),
      expect.stringMatching(/^rate_limited \d+$/),
    ]);
  });
});
