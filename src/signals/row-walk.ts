/**
 * Several perceptual signals over one walk of an image's rows: every signal with a row pass
 * (PerceptualSignalType.rowPass) reads each band while it is in cache, so a large image is read from
 * memory once rather than once per signal. The results are fromPixels' own (each pass computes the
 * same sums; tests compare them).
 */
import type { HashOptions, PerceptualResult, PerceptualSignalType, Pixels, RowPass } from './types.js';

/** Images smaller than this stay in cache between signals: each signal takes its own pass. */
export const ROW_WALK_MIN_BYTES = 8 * 2 ** 20;
/** Rows per band: about this many bytes, which stay in a core's L2 cache for the next signal. */
export const ROW_WALK_BAND_BYTES = 128 * 1024;

/**
 * The result of each signal that took part in one walk, as a function that returns it or throws
 * what its pass threw (so the caller handles errors as for fromPixels). Empty unless at least two
 * signals have a pass for these pixels and the image is at least `minBytes`: the others (and then
 * all) are left to fromPixels.
 */
export function walkRows(
  signals: readonly PerceptualSignalType[],
  pixels: Pixels,
  options: HashOptions,
  minBytes: number = ROW_WALK_MIN_BYTES,
): Map<PerceptualSignalType, () => PerceptualResult> {
  const out = new Map<PerceptualSignalType, () => PerceptualResult>();
  if (signals.length < 2 || pixels.data.length < minBytes) return out;
  const passes: [PerceptualSignalType, RowPass][] = [];
  for (const s of signals) {
    try {
      const pass = s.rowPass?.(pixels, options);
      if (pass) passes.push([s, pass]);
    } catch {
      // fromPixels meets the same problem and reports it.
    }
  }
  if (passes.length < 2) return out;
  const failed = new Map<PerceptualSignalType, unknown>();
  const band = Math.max(1, Math.floor(ROW_WALK_BAND_BYTES / Math.max(1, pixels.stride)));
  for (let y = 0; y < pixels.height; y += band) {
    const end = Math.min(pixels.height, y + band);
    for (const [s, pass] of passes) {
      if (failed.has(s)) continue;
      try {
        pass.rows(y, end);
      } catch (e) {
        failed.set(s, e);
      }
    }
  }
  for (const [s, pass] of passes) {
    const e = failed.get(s);
    out.set(
      s,
      failed.has(s)
        ? () => {
            throw e;
          }
        : () => pass.finish(),
    );
  }
  return out;
}
