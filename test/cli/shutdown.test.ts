/**
 * SIGTERM under steady load against the real process: 20 requests always in flight on keep-alive
 * connections. None may be dropped (reset or closed without an answer): every request either gets
 * its answer or, once the server stops accepting, a refused connection. The process exits once
 * the last answer is written and idle sockets had their short grace, long before the deadline for
 * stuck requests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDLE_GRACE_MS } from '../../src/shutdown.js';
import { startServer } from '../helpers/cli.js';
import { devConfig } from '../helpers/service.js';
import { devKeyring } from '../helpers/devKeyring.js';

interface Outcome {
  answered: number;
  refused: number;
  dropped: string[];
  closeAfterSignal: number;
}

async function underLoad(url: string, signal: () => number | undefined, inFlight: number): Promise<Outcome> {
  const outcome: Outcome = { answered: 0, refused: 0, dropped: [], closeAfterSignal: 0 };
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`${url}/v1/tokens`, {
          method: 'POST',
          headers: { Authorization: 'Bearer stk_dev_hospital-backend', 'Content-Type': 'application/json' },
          body: JSON.stringify({ sector: 'health', nationalId: `A${(w * 100_000 + i) % 1_000_000}` }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) outcome.dropped.push(`status ${res.status}`);
        else outcome.answered += 1;
        if (signal() !== undefined && res.headers.get('connection') === 'close') outcome.closeAfterSignal += 1;
      } catch (err) {
        const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
        const code = cause?.code ?? cause?.errors?.[0]?.code;
        // A refused connection never reached the server: that is what stopping to accept means.
        if (code === 'ECONNREFUSED' && signal() !== undefined) {
          outcome.refused += 1;
          return;
        }
        outcome.dropped.push(
          `${code ?? String(err)} at +${signal() === undefined ? '(before the signal)' : Date.now() - signal()!} ms`,
        );
        if (signal() !== undefined) return;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  return outcome;
}

describe('graceful shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-shutdown-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...devConfig(), rateLimits: { defaults: {}, clients: {} } }));
  const keyringPath = devKeyring(join(dir, 'dev-keyring.json'), configPath);

  it.each([1, 2, 3])(
    'run %i: SIGTERM with 20 requests always in flight drops none and exits once they are answered',
    async () => {
      const server = await startServer({ SECTOKEN_CONFIG: configPath, SECTOKEN_KEYRING: keyringPath });
      let signalledAt: number | undefined;
      const exited = new Promise<number>((resolve) => server.child.once('exit', () => resolve(Date.now())));
      const load = underLoad(server.url, () => signalledAt, 20);
      await new Promise((r) => setTimeout(r, 1500));
      signalledAt = Date.now();
      server.child.kill('SIGTERM');
      const outcome = await load;
      const exitedAt = await exited;

      expect(outcome.dropped).toEqual([]);
      expect(outcome.answered).toBeGreaterThan(100);
      expect(outcome.refused).toBe(20);
      // Answers written after the signal told their clients not to reuse the connection.
      expect(outcome.closeAfterSignal).toBeGreaterThan(0);
      // Far from the 10 s deadline: once the last answer is out and idle sockets had their grace.
      expect(exitedAt - signalledAt).toBeLessThan(IDLE_GRACE_MS + 2000);
      expect(server.child.exitCode).toBe(0);
      expect(server.output()).toMatch(/shutting down/);
    },
    30_000,
  );
});
