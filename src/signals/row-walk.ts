/**
 * Several perceptual signals over one walk of an image's rows: every signal with a row pass
 * (PerceptualSignalType.rowPass) reads each band while it is in cache, so a large image is read from
 * memory once rather than once per signal. Where one pass copies each band into a WebAssembly
 * memory and others can read it there (RowPass.shareBands), the band is copied once for all.
 * The results are fromPixels' own (each pass computes the same sums; tests compare them).
 */
import type { BandReader, HashOptions, PerceptualResult, PerceptualSignalType, Pixels, RowPass } from './types.js';

/** Images smaller than this stay in cache between signals: unless they share a band copy, each signal takes its own pass. */
export const ROW_WALK_MIN_BYTES = 8 * 2 ** 20;
/** Rows per band: about this many bytes, which stay in a core's L2 cache for the next signal. */
export const ROW_WALK_BAND_BYTES = 128 * 1024;

/**
 * The result of each signal that took part in one walk, as a function that returns it or throws
 * what its pass threw (so the caller handles errors as for fromPixels). Empty unless at least two
 * signals have a pass for these pixels and they share band copies or the image is at least
 * `minBytes`: the others (and then all) are left to fromPixels.
 */
export function walkRows(
  signals: readonly PerceptualSignalType[],
  pixels: Pixels,
  options: HashOptions,
  minBytes: number = ROW_WALK_MIN_BYTES,
): Map<PerceptualSignalType, () => PerceptualResult> {
  const out = new Map<PerceptualSignalType, () => PerceptualResult>();
  if (signals.length < 2) return out;
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
  const band = Math.max(1, Math.floor(ROW_WALK_BAND_BYTES / Math.max(1, pixels.stride)));
  const inOrder = [...passes];
  const readers = shareBands(passes, band);
  if (readers.size === 0 && pixels.data.length < minBytes) return out;
  const host = readers.size > 0 ? passes[0][0] : null;
  const failed = new Map<PerceptualSignalType, unknown>();
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
  for (const [s, pass] of inOrder) {
    // A reader whose host failed has no band to read: fromPixels computes it.
    if (host && readers.has(s) && failed.has(host)) continue;
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

/**
 * Where one pass copies bands (shareBands) and others can read them, moves that host first in
 * `passes` and attaches the readers; returns the signals that read the host's bands.
 */
function shareBands(passes: [PerceptualSignalType, RowPass][], maxRows: number): Set<PerceptualSignalType> {
  const at = passes.findIndex(([, p]) => p.shareBands);
  const offered = passes.filter(([, p], i) => i !== at && p.bandReader);
  if (at < 0 || offered.length === 0) return new Set();
  const [host] = passes.splice(at, 1);
  passes.unshift(host);
  let attached: BandReader[];
  try {
    attached = host[1].shareBands!(offered.map(([, p]) => p.bandReader!), maxRows);
  } catch {
    attached = [];
  }
  return new Set(offered.filter(([, p]) => attached.includes(p.bandReader!)).map(([s]) => s));
}
