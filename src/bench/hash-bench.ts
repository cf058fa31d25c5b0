import type { Figure, ParamValue } from './schema.js';
import { summarize } from './stats.js';

/** What one round times: decoding only (the floor), or hashing with some signals. */
export interface HashMode {
  /** "decode", a signal name, or "all". */
  readonly name: string;
  readonly kind: 'decode' | 'hash';
  readonly signals: readonly string[];
}

/** Runs every file of the corpus once through a pool of `workers` threads. */
export interface HashRunner {
  run(mode: HashMode): Promise<{ elapsedMs: number; errors: Readonly<Record<string, number>> }>;
  close(): Promise<void>;
}

export type StartHashRunner = (workers: number) => Promise<HashRunner>;

export interface HashBenchConfig {
  /** "generated:1024x768:200:jpeg" or "files:COUNT:BYTES": what makes two runs comparable. */
  readonly corpus: string;
  readonly images: number;
  readonly modes: readonly HashMode[];
  readonly workers: readonly number[];
  readonly repeat: number;
  readonly warmup: number;
}

export interface HashBenchOutput {
  readonly figures: Figure[];
  /** Failed files per mode (name → code → count); a mode with failures did less work. */
  readonly errors: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly notes: string[];
}

/**
 * For each worker count, one pool and `warmup` discarded then `repeat` measured rounds; a
 * round passes the whole corpus through every mode in turn, so all modes see the same
 * machine conditions. images/s = images / wall-clock seconds of one pass.
 */
export async function runHashBench(
  cfg: HashBenchConfig,
  start: StartHashRunner,
  progress: (message: string) => void = () => {},
): Promise<HashBenchOutput> {
  const figures: Figure[] = [];
  const errors: Record<string, Record<string, number>> = {};
  const inRound: string[] = [];
  for (const workers of cfg.workers) {
    const runner = await start(workers);
    const values = cfg.modes.map((): number[] => []);
    try {
      for (let r = 0; r < cfg.warmup + cfg.repeat; r++) {
        for (const [i, mode] of cfg.modes.entries()) {
          progress(`${workers} worker(s), round ${r + 1}/${cfg.warmup + cfg.repeat}${r < cfg.warmup ? ' (warm-up)' : ''}: ${mode.name}`);
          const { elapsedMs, errors: errs } = await runner.run(mode);
          if (r < cfg.warmup) continue;
          values[i].push((cfg.images * 1000) / elapsedMs);
          if (Object.keys(errs).length > 0) errors[mode.name] = { ...errs };
        }
      }
    } finally {
      await runner.close();
    }
    for (const [i, mode] of cfg.modes.entries()) {
      const params: Record<string, ParamValue> = { corpus: cfg.corpus, mode: mode.name, workers };
      figures.push({ name: 'images_per_s', unit: 'images/s', better: 'higher', params, ...summarize(values[i]) });
    }
    inRound.push(...inRoundRatioNotes(cfg.modes, values, workers));
  }
  return { figures, errors, notes: [...ratioNotes(figures, cfg), ...inRound] };
}

/**
 * Each mode against the decode floor of the same round, the median over rounds (both see the
 * same machine conditions, so host load moves the ratio less than a ratio of medians).
 */
function inRoundRatioNotes(modes: readonly HashMode[], values: readonly number[][], workers: number): string[] {
  const floor = modes.findIndex((m) => m.kind === 'decode');
  if (floor < 0) return [];
  const parts = modes.flatMap((m, i) => {
    if (m.kind !== 'hash' || values[i].length === 0) return [];
    const ratios = values[i].map((v, r) => v / values[floor][r]);
    const s = summarize(ratios);
    return [`${m.name} ${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`];
  });
  return parts.length ? [`${workers} worker(s), median of in-round ratios to the decode floor (min–max): ${parts.join(', ')}`] : [];
}

function medianOf(figs: readonly Figure[], mode: string, workers: number): number | undefined {
  return figs.find((f) => f.params.mode === mode && f.params.workers === workers)?.median;
}

/** Each mode against the decode floor, and each worker count against the first. */
function ratioNotes(figs: readonly Figure[], cfg: HashBenchConfig): string[] {
  const notes: string[] = [];
  for (const w of cfg.workers) {
    const floor = medianOf(figs, 'decode', w);
    if (!floor) continue;
    const parts = cfg.modes.filter((m) => m.kind === 'hash').map((m) => `${m.name} ${((medianOf(figs, m.name, w) ?? 0) / floor).toFixed(2)}×`);
    if (parts.length) notes.push(`${w} worker(s), against the decode-only floor: ${parts.join(', ')}`);
  }
  const [first, ...rest] = cfg.workers;
  for (const w of rest) {
    const parts = cfg.modes.map((m) => `${m.name} ${((medianOf(figs, m.name, w) ?? 0) / (medianOf(figs, m.name, first) ?? 1)).toFixed(2)}×`);
    notes.push(`${w} worker(s) against ${first}: ${parts.join(', ')}`);
  }
  return notes;
}
