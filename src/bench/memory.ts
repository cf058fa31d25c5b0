import v8 from 'node:v8';
import vm from 'node:vm';

let cached: (() => void) | null | undefined;

/**
 * A function that runs a full garbage collection, so memory deltas measure what is live
 * rather than when V8 last collected; null when the runtime refuses (figures are then noisier).
 */
export function collector(): (() => void) | null {
  if (cached !== undefined) return cached;
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return (cached = g);
  try {
    v8.setFlagsFromString('--expose-gc');
    cached = vm.runInNewContext('gc') as () => void;
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * Bytes the JS heap and external memory hold: an index's objects, typed arrays and
 * WebAssembly memory (which Node counts under `external`, not `arrayBuffers`).
 */
export function liveBytes(): number {
  collector()?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
