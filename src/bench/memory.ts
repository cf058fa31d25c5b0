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

export interface MemoryReading {
  readonly heap: number;
  readonly external: number;
}

/** JS heap and external bytes in use after a full collection. */
export function readMemory(): MemoryReading {
  collector()?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external };
}

/**
 * What building an index added: its JS heap growth, plus the memory it reports holding
 * (`memoryBytes`, e.g. its WebAssembly memory) or else the growth of external memory.
 * Self-reported memory is preferred because V8 releases a dropped index's external memory
 * lazily, which makes external deltas between consecutive builds unreliable.
 */
export function indexMemory(before: MemoryReading, after: MemoryReading, index: object): number {
  const reported = (index as { memoryBytes?: unknown }).memoryBytes;
  const outside = typeof reported === 'number' ? reported : after.external - before.external;
  return after.heap - before.heap + outside;
}
