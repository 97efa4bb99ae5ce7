/**
 * The shutdown deadline (src/shutdown.ts): a request that never gets its answer is cut off when the
 * deadline passes, counted as stuck, and its connection closed; one answered in time is not.
 * (The whole process's drain under load is test/cli/shutdown.test.ts.)
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { drainable } from '../../src/shutdown.js';

function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })),
  );
}

/** A GET whose outcome is the status, or the error that ended it. */
function get(port: number, path: string): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode! }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

describe('the shutdown deadline', () => {
  it('cuts off a request still unanswered when it passes, counts it as stuck and closes its connection', async () => {
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const { server, port } = await listen((req) => {
      if (req.url === '/stuck') received(); // and never answered
    });
    const drain = drainable(server);
    const outcome = get(port, '/stuck');
    await arrived;
    const started = Date.now();
    const { stuck } = await drain.close(300);
    const waited = Date.now() - started;
    expect(stuck).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(await outcome).toEqual({ error: 'ECONNRESET' });
  });

  it('does not wait for the deadline when the request in flight is answered in time, and none is stuck', async () => {
    let answer!: () => void;
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const { server, port } = await listen((_req, res) => {
      answer = () => res.end('done');
      received();
    });
    const drain = drainable(server);
    const outcome = get(port, '/slow');
    await arrived;
    const closed = drain.close(10_000);
    setTimeout(() => answer(), 100);
    const started = Date.now();
    expect(await closed).toEqual({ stuck: 0 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await outcome).toEqual({ status: 200 });
  });
});
