import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/util/parse-time.js';

const refused = (field: string) => ({
  code: 'invalid_input',
  details: expect.objectContaining({ field }),
  message: expect.stringMatching(new RegExp(`^${field} .*ISO 8601.*epoch seconds.*epoch milliseconds`)),
});

describe('parseTime', () => {
  it('accepts ISO 8601 dates and date-times, with Z, an offset or none (UTC)', () => {
    expect(parseTime('2023-05-08', 't')).toBe('2023-05-08T00:00:00.000Z');
    expect(parseTime('2023-05-08T13:56:00Z', 't')).toBe('2023-05-08T13:56:00.000Z');
    expect(parseTime('2023-05-08T13:56Z', 't')).toBe('2023-05-08T13:56:00.000Z');
    expect(parseTime('2023-05-08T13:56:00.123456Z', 't')).toBe('2023-05-08T13:56:00.123Z');
    expect(parseTime('2023-05-08T15:56:00+02:00', 't')).toBe('2023-05-08T13:56:00.000Z');
    expect(parseTime('2023-05-08T08:26:00-0530', 't')).toBe('2023-05-08T13:56:00.000Z');
    expect(parseTime('2023-05-08 13:56:00', 't')).toBe('2023-05-08T13:56:00.000Z');
    expect(parseTime(' 1900-01-01T00:00:00Z ', 't')).toBe('1900-01-01T00:00:00.000Z');
    expect(parseTime('2200-12-31T23:59:59.999Z', 't')).toBe('2200-12-31T23:59:59.999Z');
  });

  it('reads numbers below 1e10 as epoch seconds and larger ones as epoch milliseconds', () => {
    const iso = '2023-05-08T13:56:00.000Z';
    expect(parseTime(1_683_554_160, 't')).toBe(iso);
    expect(parseTime(1_683_554_160_000, 't')).toBe(iso);
    expect(parseTime('1683554160', 't')).toBe(iso);
    expect(parseTime('1683554160000', 't')).toBe(iso);
    expect(parseTime(1_683_554_160.5, 't')).toBe('2023-05-08T13:56:00.500Z');
    expect(parseTime(0, 't')).toBe('1970-01-01T00:00:00.000Z');
    expect(parseTime(-2_208_988_800, 't')).toBe('1900-01-01T00:00:00.000Z');
    expect(parseTime(new Date(iso), 't')).toBe(iso);
  });

  it('refuses microseconds, years past 2200 or before 1900, and non-ISO text, naming the field', () => {
    for (const value of [
      1_683_554_160_000_000, // microseconds
      '1683554160000000000', // nanoseconds
      '+010000-01-01T00:00:00Z',
      '10000-01-01',
      '2201-01-01T00:00:00Z',
      '1899-12-31T23:59:59Z',
      -2_208_988_801,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      'May 8, 2023',
      'yesterday',
      '2023-02-30',
      '2023-13-01',
      '2023-05-08T24:00:00Z',
      '2023-05-08T13:56:00+25:00',
      '',
      new Date(Number.NaN),
      new Date('9999-12-31T00:00:00Z'),
    ]) {
      expect(() => parseTime(value, 'eventTime'), String(value)).toThrowError(
        expect.objectContaining(refused('eventTime')),
      );
    }
  });
});
