import { describe, expect, it } from 'vitest';
import { SLOTS_PER_BLOCK, StartSlots } from './pool.js';

describe('start slots', () => {
  it('uses a slot again only after its file was answered, cleared; a failed file’s slot never', () => {
    const s = new StartSlots();
    const a = s.take();
    const b = s.take();
    expect(a).not.toBe(b);
    // The worker stamps both; b's file is answered, a's failed (its thread may still write).
    Atomics.store(s.words, 2 * a, 5n);
    Atomics.store(s.words, 2 * b, 7n);
    Atomics.store(s.words, 2 * b + 1, 3n);
    s.release(s.words, b);
    expect(Atomics.load(s.words, 2 * b)).toBe(0n);
    expect(Atomics.load(s.words, 2 * b + 1)).toBe(0n);
    const taken = new Set(Array.from({ length: SLOTS_PER_BLOCK - 2 }, () => s.take()));
    expect(taken.has(b)).toBe(true);
    expect(taken.has(a)).toBe(false);
  });

  it('starts a new block when one is used up; a slot of the old block is not taken again', () => {
    const s = new StartSlots();
    const first = s.block;
    const words = s.words;
    for (let i = 0; i < SLOTS_PER_BLOCK; i++) s.take();
    expect(s.block).toBe(first);
    const next = s.take();
    expect(s.block).not.toBe(first);
    expect(next).toBe(0);
    s.release(words, 3);
    expect(s.take()).toBe(1);
  });
});
