/**
 * `bench video`: (1) seconds of video hashed per second on generated H.264 files, 1 and more
 * videos in flight, against ffmpeg's own decode-only rate for the same files (`ffmpeg -i V -f
 * null -`), as ratios formed within each round; (2) vPDQ lookup cost against a synthetic list of
 * many videos (random frame hashes; queries half near-copies of list videos, half unrelated).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHex } from '../signals/hex.js';
import { jaroszSimdAvailable } from '../signals/pdq/jarosz-simd.js';
import { hashRgbFrame } from '../signals/vpdq.js';
import { resolveFfmpeg } from '../video/ffmpeg.js';
import { hashVideoFile } from '../video/hash.js';
import { VpdqIndex, type FrameInput } from '../video/match.js';
import { makeVideo, sourceGraph } from '../video/synthetic.js';
import { createPrng } from '../synthetic/prng.js';

export interface VideoBenchConfig {
  /** Frame sizes, e.g. ["1280x720", "1920x1080"]. */
  readonly sizes: readonly string[];
  readonly seconds: number;
  readonly rate: number;
  /** Videos hashed at once. */
  readonly workers: readonly number[];
  readonly rounds: number;
  readonly listVideos: number;
  readonly framesPerVideo: number;
  readonly queries: number;
  readonly seed: number;
}

export interface ThroughputRow {
  readonly size: string;
  readonly workers: number;
  /** Seconds of video per wall second, median over rounds. */
  readonly floor: number;
  readonly hash: number;
  /** Median of hash / floor formed within each round. */
  readonly ratio: number;
}

export interface LookupResult {
  readonly videos: number;
  readonly frames: number;
  readonly buildMs: number;
  readonly queries: number;
  readonly msPerQuery: number;
  readonly nearFound: number;
  readonly nearQueries: number;
  readonly unrelatedMatched: number;
}

/** The per-frame PDQ alone, in this process, on a noise frame: median ms per frame. */
export interface FrameTimingRow {
  readonly size: string;
  /** null where WebAssembly SIMD is unavailable. */
  readonly simdMs: number | null;
  readonly jsMs: number;
}

export interface VideoBenchResult {
  readonly config: VideoBenchConfig;
  readonly frames?: readonly FrameTimingRow[];
  readonly throughput: readonly ThroughputRow[];
  readonly lookup: LookupResult | null;
}

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * hashRgbFrame on one noise frame per size, the SIMD kernel and the JS loops alternating
 * (`repeats` times each after a warm-up), so both figures come from the same moments of load.
 */
export function runFrameTiming(sizes: readonly string[], repeats: number, seed: number): FrameTimingRow[] {
  const prng = createPrng(seed);
  const simd = jaroszSimdAvailable();
  return sizes.map((size) => {
    const [width, height] = size.split('x').map(Number);
    const data = new Uint8Array(width * height * 3);
    prng.fill(data);
    const pixels = { data, width, height, channels: 3 as const, stride: width * 3 };
    const time = (useSimd: boolean): number => {
      const t = performance.now();
      hashRgbFrame(pixels, useSimd);
      return performance.now() - t;
    };
    time(false);
    if (simd) time(true);
    const js: number[] = [];
    const vec: number[] = [];
    for (let i = 0; i < repeats; i++) {
      js.push(time(false));
      if (simd) vec.push(time(true));
    }
    return { size, simdMs: simd ? median(vec) : null, jsMs: median(js) };
  });
}

/** ffmpeg decoding the first video stream to nothing: the floor any ffmpeg-fed hasher works against. */
function decodeOnly(ffmpeg: string, path: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(ffmpeg, ['-nostdin', '-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'null', '-'], { stdio: 'ignore' });
    child.once('error', fail);
    child.once('close', (code) => (code === 0 ? done() : fail(new Error(`ffmpeg decode-only exited with ${code}`))));
  });
}

/** Wall seconds for `workers` concurrent runs of `task` over the file. */
async function timed(workers: number, task: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await Promise.all(Array.from({ length: workers }, task));
  return (performance.now() - t) / 1000;
}

export async function runVideoThroughput(c: VideoBenchConfig, onStatus?: (s: string) => void): Promise<ThroughputRow[]> {
  const { ffmpeg } = resolveFfmpeg();
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-bench-video-'));
  const rows: ThroughputRow[] = [];
  try {
    for (const size of c.sizes) {
      onStatus?.(`generating ${size} H.264, ${c.seconds} s`);
      const path = makeVideo(join(dir, `${size}.mp4`), sourceGraph('testsrc2', size, String(c.rate), c.seconds, c.seed), ['-preset', 'veryfast']);
      await hashVideoFile(path);
      for (const w of c.workers) {
        const floors: number[] = [];
        const hashes: number[] = [];
        const ratios: number[] = [];
        for (let r = 0; r < c.rounds; r++) {
          onStatus?.(`${size}, ${w} at once: round ${r + 1}/${c.rounds}`);
          const floor = (w * c.seconds) / (await timed(w, () => decodeOnly(ffmpeg, path)));
          const hash = (w * c.seconds) / (await timed(w, () => hashVideoFile(path)));
          floors.push(floor);
          hashes.push(hash);
          ratios.push(hash / floor);
        }
        rows.push({ size, workers: w, floor: median(floors), hash: median(hashes), ratio: median(ratios) });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function randomHash(prng: ReturnType<typeof createPrng>): Uint8Array {
  const h = new Uint8Array(32);
  prng.fill(h);
  return h;
}

export function runVideoLookup(c: VideoBenchConfig): LookupResult {
  const prng = createPrng(c.seed);
  const next = () => prng.nextU32();
  const randomHash_ = () => randomHash(prng);
  const videos = Array.from({ length: c.listVideos }, (_, v) => ({
    id: v,
    frames: Array.from({ length: c.framesPerVideo }, (): FrameInput => ({ hash: randomHash_(), quality: 100 })),
  }));
  const t0 = performance.now();
  const index = VpdqIndex.build(videos);
  const buildMs = performance.now() - t0;
  const queries: { frames: FrameInput[]; target: number | null }[] = [];
  for (let q = 0; q < c.queries; q++) {
    if (q % 2 === 0) {
      const target = next() % c.listVideos;
      const frames = videos[target].frames.map((f) => {
        const h = Uint8Array.from(f.hash as Uint8Array);
        for (let k = 0; k < 12; k++) h[next() % 32] ^= 1 << (next() % 8);
        return { hash: formatHex(h), quality: 100 };
      });
      queries.push({ frames, target });
    } else {
      queries.push({ frames: Array.from({ length: c.framesPerVideo }, () => ({ hash: formatHex(randomHash_()), quality: 100 })), target: null });
    }
  }
  let nearFound = 0;
  let unrelatedMatched = 0;
  const t1 = performance.now();
  for (const q of queries) {
    const m = index.query(q.frames);
    if (q.target === null) unrelatedMatched += m.length;
    else if (m.some((x) => x.id === q.target)) nearFound++;
  }
  const ms = performance.now() - t1;
  return {
    videos: c.listVideos,
    frames: index.frameCount,
    buildMs,
    queries: c.queries,
    msPerQuery: ms / c.queries,
    nearFound,
    nearQueries: queries.filter((q) => q.target !== null).length,
    unrelatedMatched,
  };
}

export function formatVideoBench(r: VideoBenchResult): string {
  const c = r.config;
  const lines = (r.frames ?? []).map(
    (f) =>
      `per-frame PDQ in-process (noise ${f.size}): ${f.simdMs === null ? 'SIMD unavailable' : `SIMD ${f.simdMs.toFixed(1)} ms`}, JS ${f.jsMs.toFixed(1)} ms`,
  );
  lines.push(
    `video hashing (vPDQ, 1 frame per second), generated H.264 testsrc2 at ${c.rate} fps, ${c.seconds} s each; median of ${c.rounds} rounds`,
    'size        at once  ffmpeg decode-only  hashsieve vpdq  ratio',
    ...r.throughput.map(
      (t) => `${t.size.padEnd(11)} ${String(t.workers).padEnd(8)} ${`${t.floor.toFixed(1)} s/s`.padEnd(19)} ${`${t.hash.toFixed(1)} s/s`.padEnd(15)} ${t.ratio.toFixed(2)}×`,
    ),
  );
  if (r.lookup) {
    const l = r.lookup;
    lines.push(
      `lookup: ${l.videos} list videos (${l.frames} frames) built in ${l.buildMs.toFixed(0)} ms; ${l.queries} queries of ${c.framesPerVideo} frames: ` +
        `${l.msPerQuery.toFixed(2)} ms/query; near copies found ${l.nearFound}/${l.nearQueries}, unrelated matches ${l.unrelatedMatched}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
