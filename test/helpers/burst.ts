/** Concurrent requests on a real socket, for the tests of budgets under bursts. */
import { bearer } from './service.js';

/** `n` identical requests sent at once; how many of each answer ("<status> <error code or ok>") came back. */
export async function burst(
  url: string,
  n: number,
  method: 'GET' | 'POST',
  path: string,
  client: string,
  body?: object,
): Promise<Record<string, number>> {
  const answers = await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: bearer(client), 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as { error?: { code: string } };
      return `${res.status} ${json.error?.code ?? 'ok'}`;
    }),
  );
  const seen: Record<string, number> = {};
  for (const a of answers) seen[a] = (seen[a] ?? 0) + 1;
  return seen;
}
