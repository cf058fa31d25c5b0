/**
 * The one owner of ffmpeg/ffprobe child processes. A video's first video stream is probed with
 * ffprobe, then decoded by ffmpeg into raw RGB24 frames on a pipe (never a file). Every child is
 * killed on every exit path: timeout, abort, a consumer that stops early, an error, process exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { FileError, UsageError } from '../errors.js';

export const FFMPEG_ENV = 'HASHSIEVE_FFMPEG';
export const FFMPEG_INSTALL_HINT = 'apt-get install -y ffmpeg';

/** Where the programs are; both default to $HASHSIEVE_FFMPEG (ffprobe beside it), then PATH. */
export interface FfmpegConfig {
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
}

export interface FfmpegPrograms {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

/** Per-file limits on a video. */
export interface VideoLimits {
  /** Longest video in seconds (by its container duration, and by decoded frames / rate). */
  readonly maxDurationSeconds: number;
  /** Most decoded frames. */
  readonly maxFrames: number;
  /** Largest frame (width × height). */
  readonly maxPixels: number;
  /** Wall-clock budget for probing and decoding one file, in milliseconds. */
  readonly timeoutMs: number;
}

export const DEFAULT_VIDEO_LIMITS: VideoLimits = Object.freeze({
  maxDurationSeconds: 4 * 3600,
  maxFrames: 1_000_000,
  maxPixels: 8192 * 8192,
  timeoutMs: 30 * 60_000,
});

/** Thrown when ffmpeg or ffprobe cannot be found: nothing video can be done on this machine. */
export class FfmpegMissingError extends UsageError {
  constructor(program: string, where: string) {
    super(`${program} was not found (${where}); install it with \`${FFMPEG_INSTALL_HINT}\` or set ${FFMPEG_ENV} to the ffmpeg program`);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Find ffmpeg and ffprobe: the config, then $HASHSIEVE_FFMPEG (ffprobe in the same folder), then PATH. */
export function resolveFfmpeg(config: FfmpegConfig = {}): FfmpegPrograms {
  const configured = config.ffmpegPath ?? process.env[FFMPEG_ENV];
  let ffmpeg: string | null;
  if (configured) {
    if (!isExecutable(configured)) throw new FfmpegMissingError('ffmpeg', `${configured} is not an executable file`);
    ffmpeg = configured;
  } else {
    ffmpeg = onPath('ffmpeg');
    if (!ffmpeg) throw new FfmpegMissingError('ffmpeg', 'not on PATH');
  }
  let ffprobe = config.ffprobePath ?? null;
  if (ffprobe && !isExecutable(ffprobe)) throw new FfmpegMissingError('ffprobe', `${ffprobe} is not an executable file`);
  if (!ffprobe && configured) {
    const beside = join(dirname(configured), 'ffprobe');
    if (isExecutable(beside)) ffprobe = beside;
  }
  ffprobe ??= onPath('ffprobe');
  if (!ffprobe) throw new FfmpegMissingError('ffprobe', 'not on PATH nor beside ffmpeg');
  return { ffmpeg, ffprobe };
}

/** Live children, killed if this process exits while they run. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
}

/** How many ffmpeg/ffprobe children this process has running (tests assert 0 after each file). */
export function liveChildCount(): number {
  return live.size;
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves once the child has exited: its code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last bytes of stderr (ffmpeg's own messages, never frame data). */
  stderrTail(): string;
  kill(): void;
}

const STDERR_TAIL_BYTES = 4096;

function start(program: string, args: readonly string[], fd?: number, extraPipe = false): Spawned {
  const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
  if (fd !== undefined) stdio.push(fd);
  if (extraPipe) stdio.push('pipe');
  const child = spawn(program, args, { stdio });
  track(child);
  let tail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    tail = (tail + s).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('close', (code, signal) => done({ code, signal }));
    child.once('error', () => done({ code: null, signal: null }));
  });
  return {
    child,
    exited,
    stderrTail: () => tail,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Where ffmpeg reads a video: a URL, the protocols it may use (nothing else: a scanned file's
 * name or contents can never make it open another file or the network) and, when known, the
 * demuxer (so ffmpeg does not second-guess the container sniffed from the first bytes).
 */
export interface VideoInput {
  readonly url: string;
  readonly protocols: string;
  readonly demuxer?: string;
  /** An open file descriptor the child inherits as its fd 3 (the url then names /dev/fd/3). */
  readonly fd?: number;
}

/** A file already open here (e.g. one whose name is not UTF-8 and so cannot be an argument): the child reads it as fd 3. */
export function fdInput(fd: number, container?: string | null): VideoInput {
  const demuxer = container ? DEMUXERS[container] : undefined;
  return { url: 'file:/dev/fd/3', protocols: 'file', fd, ...(demuxer ? { demuxer } : {}) };
}

/** ffmpeg demuxer for each container family src/video/sniff.ts recognises. */
export const DEMUXERS: Readonly<Record<string, string>> = {
  mp4: 'mov',
  matroska: 'matroska',
  avi: 'avi',
  mpegts: 'mpegts',
  mpeg: 'mpeg',
  flv: 'flv',
  asf: 'asf',
  ogg: 'ogg',
  rm: 'rm',
};

/** A local file: read through ffmpeg's file protocol only (a name like "http:…" or "concat:…" stays a file name). */
export function fileInput(path: string, container?: string | null): VideoInput {
  const demuxer = container ? DEMUXERS[container] : undefined;
  return { url: `file:${path}`, protocols: 'file', ...(demuxer ? { demuxer } : {}) };
}

function inputArgs(input: VideoInput): string[] {
  return ['-protocol_whitelist', input.protocols, ...(input.demuxer ? ['-f', input.demuxer] : [])];
}

/** What the hasher needs to know about the first video stream. */
export interface VideoProbe {
  /** The stream's index among all streams in the container. */
  readonly streamIndex: number;
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly pixFmt: string;
  readonly avgFrameRate: string;
  readonly rFrameRate: string;
  /** The decoder's reorder delay in frames, as ffprobe reports it (0 when absent). */
  readonly reorderDelay: number;
  /** Container (else stream) duration in seconds, when known. */
  readonly durationSeconds: number | null;
  readonly formatName: string;
}

interface ProbeJson {
  streams?: Array<Record<string, unknown>>;
  format?: Record<string, unknown>;
}

function finiteNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Parse ffprobe's JSON into the first video stream's facts; a FileError when there is none. */
export function parseProbe(json: string): VideoProbe {
  let parsed: ProbeJson;
  try {
    parsed = JSON.parse(json) as ProbeJson;
  } catch {
    throw new FileError('DECODE_FAILED', 'ffprobe gave no readable description of this file');
  }
  const streams = (parsed.streams ?? []).filter((s) => s.codec_type === 'video');
  streams.sort((a, b) => Number(a.index) - Number(b.index));
  const s = streams[0];
  if (!s) throw new FileError('UNSUPPORTED_FORMAT', 'The file has no video stream');
  const width = finiteNumber(s.width) ?? 0;
  const height = finiteNumber(s.height) ?? 0;
  const duration = finiteNumber(parsed.format?.duration) ?? finiteNumber(s.duration);
  return {
    streamIndex: Number(s.index),
    codec: String(s.codec_name ?? ''),
    width,
    height,
    pixFmt: String(s.pix_fmt ?? ''),
    avgFrameRate: String(s.avg_frame_rate ?? '0/0'),
    rFrameRate: String(s.r_frame_rate ?? '0/0'),
    reorderDelay: Math.max(0, finiteNumber(s.has_b_frames) ?? 0),
    durationSeconds: duration !== null && duration >= 0 ? duration : null,
    formatName: String(parsed.format?.format_name ?? ''),
  };
}

function abortError(): FileError {
  return new FileError('TIMEOUT', 'Video hashing was interrupted');
}

function timeoutError(ms: number): FileError {
  return new FileError('TIMEOUT', `Video decoding took longer than ${ms} ms and was stopped`);
}

/** An ffmpeg exit that is not a success, as a per-file error. */
function exitError(program: string, status: { code: number | null; signal: NodeJS.Signals | null }): FileError {
  if (status.signal) return new FileError('DECODER_CRASHED', `${program} died with signal ${status.signal}`);
  if (status.code === null) return new FileError('DECODER_CRASHED', `${program} could not be started`);
  return new FileError('DECODE_FAILED', `${program} could not decode this file (exit code ${status.code})`);
}

/** A deadline shared by probe and decode; `arm` runs `onExpire` when it passes (or at once if it has). */
export class Deadline {
  private readonly end: number;
  constructor(readonly ms: number) {
    this.end = performance.now() + ms;
  }
  arm(onExpire: () => void): () => void {
    const left = Math.max(0, this.end - performance.now());
    const t = setTimeout(onExpire, left);
    return () => clearTimeout(t);
  }
}

/** Run ffprobe on one input and describe its first video stream. */
export async function probeVideo(
  input: VideoInput,
  programs: FfmpegPrograms,
  deadline: Deadline,
  signal?: AbortSignal,
): Promise<VideoProbe> {
  if (signal?.aborted) throw abortError();
  const p = start(programs.ffprobe, [
    '-v', 'error',
    '-show_entries', 'stream=index,codec_type,codec_name,width,height,pix_fmt,avg_frame_rate,r_frame_rate,has_b_frames,duration:format=duration,format_name',
    '-of', 'json',
    ...inputArgs(input),
    '-i', input.url,
  ], input.fd);
  let out = '';
  p.child.stdout!.setEncoding('utf8');
  p.child.stdout!.on('data', (s: string) => {
    out += s;
    if (out.length > 1 << 20) p.kill();
  });
  let why: FileError | null = null;
  const disarm = deadline.arm(() => {
    why = timeoutError(deadline.ms);
    p.kill();
  });
  const onAbort = () => {
    why = abortError();
    p.kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const status = await p.exited;
    if (why) throw why;
    if (status.code !== 0) {
      if (status.signal || status.code === null) throw exitError('ffprobe', status);
      throw new FileError('DECODE_FAILED', 'ffprobe could not read this file as a video container');
    }
    return parseProbe(out);
  } finally {
    disarm();
    signal?.removeEventListener('abort', onAbort);
    p.kill();
  }
}

/** How to decode: which frames ffmpeg should deliver and how big they are. */
export interface DecodePlan {
  readonly probe: VideoProbe;
  /** Deliver only frames whose decoder output number is a multiple of this (1 = every frame). */
  readonly modulus: number;
  /** Stop with TOO_LARGE past this many decoded frames. */
  readonly maxFrames: number;
}

/** One delivered frame: packed RGB24 (stride = width × 3). The buffer is reused for the next frame. */
export interface RgbFrame {
  /** The decoder's 0-based output count for this frame. */
  readonly frame: number;
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * ffmpeg's arguments: the first video stream, no autorotation, every decoded frame kept in
 * decoder order (no frame-rate conversion), BT.601 and the range the reference assumes
 * (limited, full for yuvj formats) whatever the stream's tags say, swscale's area flags, RGB24.
 */
export function ffmpegArgs(input: VideoInput, plan: DecodePlan): string[] {
  return decoderArgs(input, ['-vf', filterGraph(plan)]);
}

/** The filter graph of a plan: frame selection, then BT.601 RGB24 at the stream's size. */
export function filterGraph(plan: DecodePlan): string {
  const { probe, modulus, maxFrames } = plan;
  const range = probe.pixFmt.startsWith('yuvj') ? 'pc' : 'tv';
  const filters: string[] = [];
  // One frame past the limit is also let through, so that exceeding it is seen here.
  if (modulus > 1) filters.push(`select='not(mod(n\\,${modulus}))+eq(n\\,${maxFrames})'`);
  else filters.push(`select='lte(n\\,${maxFrames})'`);
  filters.push(`scale=w=${probe.width}:h=${probe.height}:flags=area:in_color_matrix=bt601:in_range=${range}`, 'format=rgb24');
  return filters.join(',');
}

/** ffmpeg's arguments around the video filter options: `-map 0:v:0` is the lowest-index video stream, as ffprobe's first. */
function decoderArgs(input: VideoInput, filter: string[]): string[] {
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    ...inputArgs(input),
    '-noautorotate',
    '-i', input.url,
    '-map', '0:v:0',
    '-an', '-sn', '-dn',
    '-fps_mode', 'passthrough',
    ...filter,
    '-sws_flags', 'area',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24',
    'pipe:1',
  ];
}

/**
 * An ffmpeg child started before the probe has answered: it starts up and opens the input while
 * ffprobe runs, then reads its filter graph (filterGraph) from a pipe, which decodeRgbFrames
 * writes. `kill` it when the probe fails.
 */
export interface EarlyDecoder {
  readonly spawned: Spawned;
  readonly script: NodeJS.WritableStream;
  kill(): Promise<void>;
}

export function startDecoder(input: VideoInput, programs: FfmpegPrograms): EarlyDecoder {
  const scriptFd = input.fd === undefined ? 3 : 4;
  const spawned = start(programs.ffmpeg, decoderArgs(input, [`-filter_script:v`, `pipe:${scriptFd}`]), input.fd, true);
  const script = spawned.child.stdio[scriptFd] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };
  // ffmpeg may exit before reading it (a file it cannot open): its exit status tells why.
  script.on('error', () => {});
  // A listener keeps Node from draining (and dropping) stdout should the child exit before decodeRgbFrames reads it.
  spawned.child.stdout!.on('readable', () => {});
  return {
    spawned,
    script,
    kill: async () => {
      spawned.kill();
      await spawned.exited;
    },
  };
}

/** The decoder output number of the i-th delivered frame under a plan (the over-limit frame excepted). */
export function deliveredFrameNumber(i: number, plan: DecodePlan): number | null {
  const n = i * plan.modulus;
  return n < plan.maxFrames ? n : null;
}

/**
 * Decode the plan's frames as RGB24. The generator's consumer may stop early (break/return):
 * ffmpeg is killed. Throws FileError on timeout (TIMEOUT), abort (TIMEOUT), a decoder crash
 * (DECODER_CRASHED), a failed decode (DECODE_FAILED) or too many frames (TOO_LARGE).
 */
export async function* decodeRgbFrames(
  input: VideoInput,
  programs: FfmpegPrograms,
  plan: DecodePlan,
  deadline: Deadline,
  signal?: AbortSignal,
  early?: EarlyDecoder,
): AsyncGenerator<RgbFrame, { delivered: number }> {
  const { width, height } = plan.probe;
  const frameBytes = width * height * 3;
  if (signal?.aborted) {
    await early?.kill();
    throw abortError();
  }
  const p = early ? early.spawned : start(programs.ffmpeg, ffmpegArgs(input, plan), input.fd);
  early?.script.end(filterGraph(plan));
  let why: FileError | null = null;
  const stop = (e: FileError) => {
    why ??= e;
    p.kill();
  };
  const disarm = deadline.arm(() => stop(timeoutError(deadline.ms)));
  const onAbort = () => stop(abortError());
  signal?.addEventListener('abort', onAbort, { once: true });
  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  let delivered = 0;
  try {
    for await (const chunk of p.child.stdout! as AsyncIterable<Buffer>) {
      if (why) break;
      let off = 0;
      while (off < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - off);
        frame.set(chunk.subarray(off, off + take), filled);
        filled += take;
        off += take;
        if (filled === frameBytes) {
          filled = 0;
          const n = deliveredFrameNumber(delivered, plan);
          if (n === null) {
            throw new FileError('TOO_LARGE', `The video has more than ${plan.maxFrames} frames, over the limit`);
          }
          delivered++;
          yield { frame: n, data: frame, width, height };
          if (why) break;
        }
      }
    }
    const status = await p.exited;
    if (why) throw why;
    if (status.code !== 0 || status.signal) throw exitError('ffmpeg', status);
    if (filled !== 0) throw new FileError('DECODE_FAILED', 'ffmpeg delivered a partial frame');
    return { delivered };
  } finally {
    disarm();
    signal?.removeEventListener('abort', onAbort);
    p.kill();
    await p.exited;
  }
}
