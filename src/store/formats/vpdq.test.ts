import { describe, expect, it } from 'vitest';
import { parseFrameText, parseVpdqSignal, videoIdFromFile } from './vpdq.js';

const H = 'ab'.repeat(32);

describe('vpdq list frames', () => {
  it('reads the reference line, the HMA/pytx compact form and a bare hash', () => {
    expect(parseFrameText(`12,87,${H},0.480`)).toEqual({ hash: H, quality: 87 });
    expect(parseFrameText(`${H},87,0.48`)).toEqual({ hash: H, quality: 87 });
    expect(parseFrameText(`${H},100,1.25e+02`)).toEqual({ hash: H, quality: 100 });
    expect(parseFrameText(H)).toEqual({ hash: H, quality: null });
  });
  it('refuses anything else (quality over 100, short hash, missing fields)', () => {
    expect(parseFrameText(`${H},101,0.0`)).toBeNull();
    expect(parseFrameText(`${H.slice(2)},50,0.0`)).toBeNull();
    expect(parseFrameText(`${H},50`)).toBeNull();
    expect(parseFrameText(`x,50,${H},0.0`)).toBeNull();
  });
  it('reads python-threatexchange\'s signal string: a JSON array of compact frames', () => {
    expect(parseVpdqSignal(JSON.stringify([`${H},90,0.0`, `${H},40,1.0`]))).toEqual([
      { hash: H, quality: 90 },
      { hash: H, quality: 40 },
    ]);
    expect(parseVpdqSignal('[]')).toEqual([]);
    expect(parseVpdqSignal('[1]')).toBeNull();
    expect(parseVpdqSignal('[')).toBeNull();
  });
  it('takes a video id from its hash file name', () => {
    expect(videoIdFromFile('/x/y/clip-0001.txt')).toBe('clip-0001');
    expect(videoIdFromFile('a.b.vpdq')).toBe('a.b');
    expect(videoIdFromFile('.hidden')).toBe('.hidden');
  });
});
