import { expect, test } from 'vitest';
import { percentText } from './video-lookup.js';

test("percentText rounds as Python's '.0f' (exact ties to even)", () => {
  expect([0, 62.5, 87.5, 66.66666666666667, 99.6, 100].map(percentText)).toEqual(['0%', '62%', '88%', '67%', '100%', '100%']);
});
