import { describe, expect, it } from 'vitest';
import { iso } from './record.js';

describe('iso (record times)', () => {
  it('gives the millisecond a time falls in, before and after 1970', () => {
    expect(iso(12.848)).toBe('1970-01-01T00:00:00.012Z');
    expect(iso(1795883511822.848)).toBe('2026-11-28T16:31:51.822Z');
    expect(iso(-0.5)).toBe('1969-12-31T23:59:59.999Z');
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(null)).toBeNull();
  });
});
