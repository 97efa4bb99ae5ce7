/**
 * Unauthenticated refusals, aggregated (src/audit/writer/refusals.ts): the source an address
 * counts under, the first refusal of an interval recorded at once, the later ones counted and
 * written when the interval closes, and the cap on tracked sources. On a real log in a temp dir.
 */
import { jest } from '@jest/globals';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { recordsIn, scratchSpace } from './scratch.js';
import { SectokenError } from '../../src/errors.js';
import type { AuditLog } from '../../src/audit/writer/log.js';
import { markerFileName } from '../../src/audit/writer/marker.js';
import {
  MAX_REFUSAL_SOURCES,
  REFUSAL_INTERVAL_MS,
  refusalRecorder,
  sourceOf,
  type RefusalRecorder,
} from '../../src/audit/writer/refusals.js';

const scratch = scratchSpace('sectoken-refusals-');
const newLog = (): AuditLog => scratch.newLog('r');
const summary = (log: AuditLog): string[] => recordsIn(log).map((r) => `${r.act} ${r.count}`);

describe('the source a refusal counts under', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['::ffff:10.20.30.40', '10.20.30.40'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['1::ffff:1.2.3.4', '1:0:0:0::/64'],
    ['::ffff:1.2.3.400', '*'],
    ['::ffff:1.2.3.4x', '*'],
    ['2001:0db8:0001:0002:0003:0004:0005:0006', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['1::2:3:4:5:6:7', '1:0:2:3::/64'],
    ['1:2::3:4:5:6', '1:2:0:0::/64'],
    ['::2:3:4:5:6:7', '0:0:2:3::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1:2%eth0', 'fe80:0:0:0::/64'],
    ['10.0.0.1%eth0', '10.0.0.1'],
    ['localhost', '*'],
    ['10.0.0', '*'],
    ['', '*'],
    [undefined, '*'],
  ])('%s counts as %s', (address, source) => {
    expect(sourceOf(address)).toBe(source);
  });
});

describe('recording refusals', () => {
  let recorder: RefusalRecorder | undefined;
  afterEach(async () => {
    await recorder?.close();
    recorder = undefined;
  });

  it('records the first refusal of a source and act at once, counts the later ones, and writes their count when the interval closes', async () => {
    const log = newLog();
    recorder = refusalRecorder(log, { intervalMs: 3_600_000 });
    await recorder.refuse('10.0.0.1', 'reverse');
    const [first] = recordsIn(log);
    expect(first).toMatchObject({ act: 'reverse', client: null, outcome: 'unauthenticated', count: 1 });
    for (let i = 0; i < 4; i++) await recorder.refuse('10.0.0.1', 'reverse');
    await recorder.refuse('10.0.0.1', 'translate');
    await recorder.refuse('10.0.0.2', 'reverse');
    expect(summary(log)).toEqual(['reverse 1', 'translate 1', 'reverse 1']);
    await recorder.flush();
    expect(summary(log)).toEqual(['reverse 1', 'translate 1', 'reverse 1', 'reverse 4']);
    // A new interval: the first refusal is recorded at once again; nothing more to flush.
    await recorder.refuse('10.0.0.1', 'reverse');
    expect(summary(log).at(-1)).toBe('reverse 1');
    await recorder.flush();
    expect(recordsIn(log)).toHaveLength(5);
  });

  it('caps the sources tracked at MAX_REFUSAL_SOURCES: beyond it, refusals share the source "*"; sources already tracked keep theirs', async () => {
    const log = newLog();
    recorder = refusalRecorder(log, { intervalMs: 3_600_000 });
    expect(MAX_REFUSAL_SOURCES).toBe(100);
    for (let i = 0; i < MAX_REFUSAL_SOURCES; i++) await recorder.refuse(`10.0.1.${i}`, 'reverse');
    expect(recordsIn(log)).toHaveLength(100);
    await recorder.refuse('10.0.2.1', 'reverse'); // the first of "*": recorded
    await recorder.refuse('10.0.2.2', 'reverse'); // counted under "*"
    await recorder.refuse('10.0.2.3', 'reverse'); // counted under "*"
    await recorder.refuse('10.0.1.7', 'reverse'); // counted under its own
    expect(recordsIn(log)).toHaveLength(101);
    await recorder.flush();
    expect(summary(log).slice(101).sort()).toEqual(['reverse 1', 'reverse 2']);
  });

  it('with a cap given, the first sources up to it are tracked', async () => {
    const log = newLog();
    recorder = refusalRecorder(log, { maxSources: 1, intervalMs: 3_600_000 });
    await recorder.refuse('10.0.0.1', 'reverse');
    await recorder.refuse('10.0.0.2', 'reverse');
    await recorder.refuse('10.0.0.3', 'reverse');
    await recorder.refuse('10.0.0.1', 'reverse');
    await recorder.flush();
    expect(summary(log)).toEqual(['reverse 1', 'reverse 1', 'reverse 1', 'reverse 1']);
  });

  it('closes the interval every REFUSAL_INTERVAL_MS by itself, and no more once closed', async () => {
    const log = newLog();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout'] });
    try {
      const own = refusalRecorder(log);
      await own.refuse('10.0.0.1', 'reverse');
      await own.refuse('10.0.0.1', 'reverse');
      jest.advanceTimersByTime(REFUSAL_INTERVAL_MS - 1);
      await log.append({ act: 'approve', client: 'approver', outcome: 'ok' }); // queued after any flushed record
      expect(summary(log)).toEqual(['reverse 1', 'approve null']);
      jest.advanceTimersByTime(1);
      await log.append({ act: 'approve', client: 'approver', outcome: 'ok' });
      expect(summary(log)).toEqual(['reverse 1', 'approve null', 'reverse 1', 'approve null']);
      await own.close();
      await own.refuse('10.0.0.1', 'reverse');
      await own.refuse('10.0.0.1', 'reverse');
      jest.advanceTimersByTime(2 * REFUSAL_INTERVAL_MS);
      await log.append({ act: 'approve', client: 'approver', outcome: 'ok' });
      expect(summary(log).slice(4)).toEqual(['reverse 1', 'approve null']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes the interval given', async () => {
    const log = newLog();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout'] });
    try {
      recorder = refusalRecorder(log, { intervalMs: 1_000 });
      await recorder.refuse(undefined, 'translate');
      await recorder.refuse(undefined, 'translate');
      jest.advanceTimersByTime(1_000);
      await log.append({ act: 'approve', client: 'approver', outcome: 'ok' });
      expect(summary(log)).toEqual(['translate 1', 'translate 1', 'approve null']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('writes what is counted on close', async () => {
    const log = newLog();
    const own = refusalRecorder(log, { intervalMs: 3_600_000 });
    await own.refuse('10.0.0.1', 'reverse');
    await own.refuse('10.0.0.1', 'reverse');
    await own.refuse('10.0.0.1', 'reverse');
    await own.close();
    expect(summary(log)).toEqual(['reverse 1', 'reverse 2']);
  });

  it('when the log cannot record, then a refusal is audit_unavailable and nothing is counted; a flush does not throw', async () => {
    const log = newLog();
    recorder = refusalRecorder(log, { intervalMs: 3_600_000 });
    await recorder.refuse('10.0.0.1', 'reverse');
    await recorder.refuse('10.0.0.1', 'reverse');
    unlinkSync(join(log.path, '..', markerFileName('r')));
    const err = await recorder.refuse('10.0.0.1', 'reverse').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SectokenError);
    expect(err).toMatchObject({
      code: 'audit_unavailable',
      message: 'the audit log cannot record this act now; nothing was done',
    });
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(summary(log)).toEqual(['reverse 1']);
  });
});
