import { describe, expect, it } from 'vitest';
import { requireSystemProgram } from '../../test/system-deps.js';
import { formatVideoEval, runVideoEval } from './video.js';

const ok = requireSystemProgram('ffmpeg', 'ffmpeg');

describe.skipIf(!ok)('runVideoEval', () => {
  it('a re-encoded copy matches its source, unrelated sources do not, on a tiny seeded run', async () => {
    const r = await runVideoEval(3, { sources: 3, transformed: 1, seconds: 2, transforms: ['reencode', 'flip'] });
    const byId = Object.fromEntries(r.transforms.map((t) => [t.id, t]));
    expect(Object.keys(byId).sort()).toEqual(['flip', 'reencode']);
    expect(byId.reencode).toMatchObject({ n: 1, matched: 1, tpRate: 1 });
    expect(r.unrelatedPairs).toBe(6);
    expect(r.falsePositives).toBe(0);
    expect(formatVideoEval(r)).toMatch(/reencode\s+1\/1\s+100\.0%/);
  });
});
