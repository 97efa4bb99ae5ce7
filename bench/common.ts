/** What the bench's cases share: the median of repeats, fresh national IDs, and a server process's port and start. */
import { createServer } from 'node:net';

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A national ID per call, so that no cache answers for the computation. */
export function randomId(): string {
  const letters = String.fromCharCode(65 + Math.floor(Math.random() * 26), 65 + Math.floor(Math.random() * 26));
  return letters + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits for GET /healthz to answer, every 50 ms, `tries` times at most. */
export async function waitHealthy(url: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`bench: ${url} did not come up`);
}
