/** `hashsieve bench scan`: reads flags, runs the scan benchmark, prints its report (Markdown, or JSON with --json). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { runScanBench, type ScanBenchReport } from '../../bench/scan-bench.js';
import { DEFAULT_HASH_OPTIONS, PDQ_PIPELINES } from '../../signals/types.js';
import { parseCount, parseCountList, parseDuration, parseEnum, parseSeed } from '../args.js';
import { DEFAULT_FILE_TIMEOUT } from '../commands/scan.js';
import type { CliContext } from '../context.js';

export interface ScanBenchFlags {
  readonly small: string;
  readonly large: string;
  readonly list: string;
  readonly tiny: string;
  readonly workers: string;
  readonly rounds: string;
  readonly seed: string;
  readonly pipeline?: string;
  readonly cache?: string;
  readonly json?: boolean;
  readonly save?: string;
}

export async function runScanBenchCommand(f: ScanBenchFlags, ctx: CliContext): Promise<void> {
  const options = {
    small: parseCount('--small', f.small, 0),
    large: parseCount('--large', f.large, 0),
    list: parseCount('--list', f.list, 0),
    tiny: parseCount('--tiny', f.tiny, 0),
    workers: parseCountList('--workers', f.workers),
    rounds: parseCount('--rounds', f.rounds),
    seed: parseSeed('--seed', f.seed),
    pipeline: f.pipeline === undefined ? DEFAULT_HASH_OPTIONS.pdqPipeline : parseEnum('--pipeline', f.pipeline, PDQ_PIPELINES),
    cache: f.cache ?? join(tmpdir(), 'hashsieve-bench-scan'),
    fileTimeoutMs: parseDuration('--file-timeout', DEFAULT_FILE_TIMEOUT),
  };
  const report = await runScanBench(options, (line) => ctx.stderr.write(`${line}\n`));
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (f.save) await writeFile(f.save, json);
  ctx.stdout.write(f.json ? json : markdown(report));
}

const fixed = (x: number | null, digits = 1): string => (x === null ? '—' : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(0)}%`);
const times = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)}×`);

/** The report as Markdown: the machine, the parameters, one table row per image size and worker count, memory. */
export function markdown(r: ScanBenchReport): string {
  const o = r.options;
  const e = r.environment;
  const lines = [
    `# bench scan — ${r.startedAt}`,
    `machine: ${e.cpuModel}, ${e.cores} cores, load average ${e.loadAverage.map((x) => x.toFixed(2)).join(' ')}; node ${e.node}, sharp ${e.sharp ?? '?'}, libvips ${e.libvips ?? '?'}`,
    `params: small=${o.small} (1024x768) large=${o.large} (4032x3024) list=${o.list} PDQ tiny=${o.tiny} workers=${o.workers.join(',')} rounds=${o.rounds} seed=${o.seed} pipeline=${o.pipeline}`,
    '',
  ];
  if (r.list) {
    lines.push(`list: ${r.list.entries} PDQ hashes${r.list.importSeconds === null ? '' : `, imported in ${r.list.importSeconds.toFixed(1)} s`}; the scan's index is cached under ${r.list.indexCache}`, '');
  }
  if (r.rows.length > 0) {
    lines.push(
      'Wall clock: files/s. CPU (all threads of the process): ms per file; "scan at % of decode" = decode-only CPU / scan CPU per file; "scan / decode files/s" = the wall-clock ratio.',
      `Main ms/file: the main thread's ${r.mainThread} per file, in the scan and in the hash-only floor (which only hands files to the pool and takes the answers).`,
      `The decode-only and hash-only floors keep ${r.inFlightPerThread} files in flight per thread, as the scan does; "decode 1 in flight" is the decode floor with one (not the scan's policy; older figures used it).`,
      `Scan and floor decode alike (pdq ${o.pipeline}: minSide ${r.decode.minSide ?? 'none'}, ${r.decode.rgba ? 'RGBA' : 'RGB, no alpha added'}): ${r.decode.sizes.map((d) => `${d.size} decoded at ${d.decodedAt}`).join('; ')}.`,
      `Ratios are medians over ${o.rounds} round(s) of ratios formed within a round (each round runs every worker count).`,
      '',
      '| images | files | workers | scan files/s | decode-only files/s | hash-only files/s | scan speed-up vs 1st | decode-only speed-up vs 1st | scan CPU ms/file | decode CPU ms/file | hash CPU ms/file | main ms/file | hash-only main ms/file | scan at % of decode | scan at % of hash | scan / decode files/s | decode 1 in flight files/s | decode 1 in flight speed-up |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...r.rows.map(
        (w) =>
          `| ${w.images} | ${w.files} | ${w.workers} | ${fixed(w.scanFilesPerS)} | ${fixed(w.decodeFilesPerS)} | ${fixed(w.hashFilesPerS)} | ${times(w.scanSpeedUp)} | ${times(w.decodeSpeedUp)} | ${fixed(w.scanCpuMsPerFile)} | ${fixed(w.decodeCpuMsPerFile)} | ${fixed(w.hashCpuMsPerFile)} | ${fixed(w.mainMsPerFile, 2)} | ${fixed(w.hashMainMsPerFile, 2)} | ${pct(w.scanShareOfDecode)} | ${pct(w.scanShareOfHash)} | ${pct(w.scanRateOfDecode)} | ${fixed(w.decodeOneInFlightFilesPerS)} | ${times(w.decodeOneInFlightSpeedUp)} |`,
      ),
      '',
    );
  }
  if (r.memory) {
    const m = r.memory;
    lines.push(`memory: ${m.files} tiny files, ${m.workers} workers, ${m.filesPerS.toFixed(0)} files/s; RSS MiB at 10% / 25% / 50% / 75% / 100% of the scan: ${m.rssMiB.join(' / ')} (peak ${m.peakRssMiB})`);
  }
  return `${lines.join('\n')}\n`;
}
