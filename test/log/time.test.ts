/** Log lines' time (src/log.ts isoTimeOncePerMs): pino's isoTime text, formatted once per millisecond. */
import { jest } from '@jest/globals';
import { pino } from 'pino';
import { isoTimeOncePerMs } from '../../src/log.js';

afterEach(() => jest.useRealTimers());

describe('the log lines time', () => {
  it('is exactly what pino.stdTimeFunctions.isoTime writes, and follows the clock from one millisecond to the next', () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-30T06:00:00.000Z') });
    expect(isoTimeOncePerMs()).toBe(pino.stdTimeFunctions.isoTime());
    expect(isoTimeOncePerMs()).toBe(',"time":"2026-11-30T06:00:00.000Z"');
    jest.advanceTimersByTime(1);
    expect(isoTimeOncePerMs()).toBe(',"time":"2026-11-30T06:00:00.001Z"');
    jest.setSystemTime(Date.parse('2027-01-01T00:00:00.000Z'));
    expect(isoTimeOncePerMs()).toBe(pino.stdTimeFunctions.isoTime());
  });
});
