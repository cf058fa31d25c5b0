import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  checkAtMost,
  parseCorpusSpec,
  parseCount,
  parseCountList,
  parseDuration,
  parseEnum,
  parseFraction,
  parseList,
  parsePercent,
  parseSeed,
  parseSize,
  parseThresholds,
  withFlags,
} from './args.js';

describe('one argument parser for every command', () => {
  it('accepts counts with k/M suffixes', () => {
    expect(parseCount('--n', '5')).toBe(5);
    expect(parseCount('--n', '100k')).toBe(100_000);
    expect(parseCount('--n', '10M')).toBe(10_000_000);
    expect(parseCount('--n', '1e6')).toBe(1_000_000);
    expect(parseCount('--workers', '0', 0)).toBe(0);
  });

  it('rejects bad counts with one message shape and no type jargon', () => {
    expect(() => parseCount('--n', '-5')).toThrow('Expected a positive integer for --n but received "-5"');
    expect(() => parseCount('--n', '0')).toThrow('Expected a positive integer for --n but received "0"');
    expect(() => parseCount('--n', '1.5')).toThrow('received "1.5"');
    expect(() => parseCount('--n', 'lots')).toThrow('Expected a positive integer for --n but received "lots"');
    expect(() => parseCount('--n', '')).toThrow(UsageError);
    expect(() => parseCount('--warmup', '-1', 0)).toThrow('Expected a non-negative integer for --warmup');
    expect(() => parseCount('--n', '300 of')).not.toThrow(/of type/);
  });

  it('parses sizes the same for every command (binary units, decimals)', () => {
    expect(parseSize('--max-bytes', '4096')).toBe(4096);
    expect(parseSize('--max-bytes', '50M')).toBe(50 * 2 ** 20);
    expect(parseSize('--max-bytes', '1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseSize('--max-bytes', '1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseSize('--max-bytes', '20MB')).toBe(20 * 2 ** 20);
    expect(parseSize('--max-bytes', '1k')).toBe(1024);
    expect(() => parseSize('--max-bytes', '0')).toThrow('Expected a size like 4096, 50M or 1.5G for --max-bytes but received "0"');
    expect(() => parseSize('--max-bytes', '5 parsecs')).toThrow(UsageError);
  });

  it('parses durations to milliseconds', () => {
    expect(parseDuration('--file-timeout', '30')).toBe(30_000);
    expect(parseDuration('--file-timeout', '30s')).toBe(30_000);
    expect(parseDuration('--file-timeout', '500ms')).toBe(500);
    expect(parseDuration('--file-timeout', '2m')).toBe(120_000);
    expect(parseDuration('--file-timeout', '0')).toBe(0);
    expect(() => parseDuration('--file-timeout', 'soon')).toThrow('for --file-timeout but received "soon"');
  });

  it('checks fractions, percentages, seeds and limits', () => {
    expect(parseFraction('--near-fraction', '0.25')).toBe(0.25);
    expect(() => parseFraction('--near-fraction', '1.5')).toThrow('Expected a number from 0 to 1 for --near-fraction but received "1.5"');
    expect(parsePercent('--max-regression', '10%')).toBeCloseTo(0.1);
    expect(parsePercent('--max-regression', '2.5')).toBeCloseTo(0.025);
    expect(() => parsePercent('--max-regression', '-3%')).toThrow('a percentage');
    expect(parseSeed('--seed', '42')).toBe(42);
    expect(() => parseSeed('--seed', String(2 ** 32))).toThrow('an integer from 0 to 4294967295 for --seed');
    expect(() => checkAtMost('--threads', 300, 256, 'one index per thread')).toThrow('Expected at most 256 (one index per thread) for --threads but received 300');
  });

  it('checks choices, lists and corpus specs', () => {
    expect(parseEnum('--bits', '64', [64, 256])).toBe(64);
    expect(() => parseEnum('--bits', '128', [64, 256])).toThrow('Expected one of 64, 256 for --bits but received "128"');
    expect(parseCountList('--workers', '1, 2,2,4')).toEqual([1, 2, 4]);
    expect(() => parseCountList('--workers', '1,0')).toThrow('Expected a positive integer for --workers but received "0"');
    expect(parseList('--lists', 'a, b,,a')).toEqual(['a', 'b']);
    expect(() => parseList('--lists', ' , ')).toThrow('Expected a comma-separated list for --lists');
    expect(parseCorpusSpec('--generate', '1024x768:200')).toEqual({ width: 1024, height: 768, count: 200 });
    expect(() => parseCorpusSpec('--generate', '1024x768')).toThrow('Expected WIDTHxHEIGHT:COUNT');
    expect(() => parseCorpusSpec('--generate', '0x768:2')).toThrow('Expected a positive integer for --generate width');
  });

  it('parses per-signal thresholds', () => {
    expect(parseThresholds('--threshold', 'pdq=20').get('pdq')).toBe(20);
    expect(parseThresholds('--threshold', undefined).get('pdq')).toBe(31);
    expect(() => parseThresholds('--threshold', 'pdq')).toThrow('SIGNAL=DISTANCE pairs');
    expect(() => parseThresholds('--threshold', 'sha256=1')).toThrow('takes no --threshold');
    expect(() => parseThresholds('--threshold', 'pdq=999')).toThrow('an integer from 0 to 256');
  });

  it('shows the config fields a library message quotes as their flags', () => {
    expect(withFlags('`checkpoint` needs `out` (a report on stdout cannot be resumed)')).toBe('--checkpoint needs --out (a report on stdout cannot be resumed)');
    expect(withFlags('import one with `hashsieve list import`')).toBe('import one with `hashsieve list import`');
  });
});
