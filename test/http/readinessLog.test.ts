/**
 * An orchestrator probes /readyz every few seconds: a not-ready answer is one ordinary log line per
 * probe (no error level, no stack), and the change of state is said once, with the failing check.
 */
import request from 'supertest';
import { startTestService } from '../helpers/service.js';

interface Line {
  level: number;
  msg: string;
  route?: string;
  err?: unknown;
  checks?: { audit?: string };
}

it('when /readyz answers 503 to five probes, then the logs hold one warn line for the change and no error or stack', async () => {
  // More free space than any disk has: not ready (disk_low) from the start.
  const service = startTestService({ settings: { auditMinFreeMb: 1_048_576 } });
  try {
    for (let i = 0; i < 5; i++) {
      const ready = await request(service.app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.audit).toBe('disk_low');
    }
    const lines = service
      .logs()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const probes = lines.filter((l) => l.route === '/readyz');
    expect(probes).toHaveLength(5);
    expect(probes.every((l) => l.level === 30 && l.err === undefined)).toBe(true);
    const changes = lines.filter((l) => l.msg.startsWith('not ready'));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ level: 40, checks: { audit: 'disk_low' } });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(service.logs()).not.toContain('    at ');
  } finally {
    await service.close();
  }
});

it('when /readyz stays ready, then no change is logged', async () => {
  const service = startTestService();
  try {
    for (let i = 0; i < 3; i++) expect((await request(service.app).get('/readyz')).status).toBe(200);
    expect(service.logs()).not.toMatch(/not ready|ready again/);
  } finally {
    await service.close();
  }
});
