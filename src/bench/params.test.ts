import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { corpusSpec, fraction, nonNegativeInt, oneOf, percent, positiveInt, positiveIntList } from './params.js';

describe('bench parameter validation', () => {
  it('accepts positive integers, with k/M suffixes', () => {
    expect(positiveInt('--n', '5')).toBe(5);
    expect(positiveInt('--n', '100k')).toBe(100_000);
    expect(positiveInt('--n', '10M')).toBe(10_000_000);
    expect(positiveInt('--n', '1e6')).toBe(1_000_000);
  });
  it('rejects bad counts with a sharp-style message', () => {
    expect(() => positiveInt('--n', '-5')).toThrow('Expected positive integer for --n but received -5 of type number');
    expect(() => positiveInt('--n', '0')).toThrow('Expected positive integer for --n but received 0 of type number');
    expect(() => positiveInt('--n', '1.5')).toThrow('received 1.5 of type number');
    expect(() => positiveInt('--n', 'lots')).toThrow('Expected positive integer for --n but received lots of type string');
    expect(() => positiveInt('--n', '')).toThrow(UsageError);
    expect(() => nonNegativeInt('--warmup', '-1')).toThrow('Expected non-negative integer for --warmup');
    expect(nonNegativeInt('--warmup', '0')).toBe(0);
  });
  it('checks fractions and percentages', () => {
    expect(fraction('--near-fraction', '0.25')).toBe(0.25);
    expect(() => fraction('--near-fraction', '1.5')).toThrow(
      'Expected number between 0 and 1 for --near-fraction but received 1.5 of type number',
    );
    expect(percent('--max-regression', '10%')).toBeCloseTo(0.1);
    expect(percent('--max-regression', '2.5')).toBeCloseTo(0.025);
    expect(() => percent('--max-regression', '-3%')).toThrow('non-negative percentage');
    expect(() => percent('--max-regression', 'ten')).toThrow(UsageError);
  });
  it('checks choices, lists and corpus specs', () => {
    expect(oneOf('--bits', '64', [64, 256])).toBe(64);
    expect(() => oneOf('--bits', '128', [64, 256])).toThrow('Expected one of 64, 256 for --bits but received 128');
    expect(positiveIntList('--workers', '1, 2,2,4')).toEqual([1, 2, 4]);
    expect(() => positiveIntList('--workers', '1,0')).toThrow('Expected positive integer for --workers but received 0');
    expect(corpusSpec('--generate', '1024x768:200')).toEqual({ width: 1024, height: 768, count: 200 });
    expect(() => corpusSpec('--generate', '1024x768')).toThrow('Expected WIDTHxHEIGHT:COUNT');
    expect(() => corpusSpec('--generate', '0x768:2')).toThrow('Expected positive integer for --generate width');
  });
});
