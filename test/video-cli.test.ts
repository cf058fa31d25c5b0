/**
 * Video end to end on the BUILT binary with videos generated at test time (test/video/generate.ts):
 * frame selection and timestamps on odd and variable rates, the reference's flush quirk, hostile
 * files (coded errors, no hang, no ffmpeg left behind), timeout and SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFixed3, frameModulus, frameTimestamp } from '../src/signals/vpdq.js';
import { requireSystemProgram } from './system-deps.js';
import { ffmpeg, makeVideo, sourceGraph } from '../src/video/synthetic.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'hashsieve.js');
const ok = requireSystemProgram('ffmpeg', 'ffmpeg');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hash(args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, 'hash', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Line {
  frame: number;
  quality: number;
  hash: string;
  timestamp: string;
}

function parseLines(text: string): Line[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [frame, quality, hash, timestamp] = l.split(',');
      return { frame: Number(frame), quality: Number(quality), hash, timestamp };
    });
}

function ndjson(args: string[]): Record<string, any>[] {
  const r = hash([...args, '--format', 'ndjson']);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function countFrames(path: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

/** ffmpeg/ffprobe processes whose command line names `marker` (a test's temp folder). */
function leftovers(marker: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(marker) && /ff(mpeg|probe)/.test(l));
}

describe.skipIf(!ok)('video hashing end to end', () => {
  let dir: string;
  const rates: Record<string, string> = {};
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hashsieve-video-'));
    for (const [name, rate, seconds] of [['ntsc', '30000/1001', 3], ['film', '24', 3], ['fifteen', '15', 3], ['one', '1', 5]] as const) {
      rates[name] = makeVideo(join(dir, `${name}.mp4`), sourceGraph('testsrc2', '96x64', rate, seconds), ['-r', rate]);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['ntsc', 30000 / 1001],
    ['film', 24],
    ['fifteen', 15],
    ['one', 1],
  ])('%s: hashes decoder frames 0, k, 2k... with k = trunc(rate), float32 timestamps', (name, rate) => {
    const total = countFrames(rates[name]);
    const every = parseLines(hash([rates[name], '--format', 'vpdq', '--seconds-per-hash', '0']).stdout);
    expect(every.map((l) => l.frame)).toEqual([...Array(total).keys()]);
    const k = frameModulus(1, rate);
    const sampled = parseLines(hash([rates[name], '--format', 'vpdq']).stdout);
    expect(sampled.map((l) => l.frame)).toEqual([...Array(total).keys()].filter((n) => n % k === 0));
    for (const l of sampled) {
      expect(l.timestamp).toBe(formatFixed3(frameTimestamp(l.frame, rate)));
      expect(l).toEqual(every[l.frame]);
    }
  });

  it('29.97 fps samples every 29th frame, with the reference\'s timestamps', () => {
    const sampled = parseLines(hash([rates.ntsc, '--format', 'vpdq']).stdout);
    expect(sampled.slice(0, 4).map((l) => `${l.frame}@${l.timestamp}`)).toEqual(['0@0.000', '29@0.968', '58@1.935', '87@2.903']);
  });

  it('a variable-rate video is sampled by decoder output count at its average rate, not by time', () => {
    const a = makeVideo(join(dir, 'slow.mkv'), sourceGraph('testsrc2', '96x64', '10', 1));
    const b = makeVideo(join(dir, 'fast.mkv'), sourceGraph('testsrc2', '96x64', '30', 1));
    const list = join(dir, 'concat.txt');
    writeFileSync(list, `file '${a}'\nfile '${b}'\n`);
    const vfr = join(dir, 'vfr.mkv');
    ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', vfr]);
    const [row] = ndjson([vfr]);
    expect(row.error).toBeUndefined();
    const avg = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=avg_frame_rate', '-of', 'csv=p=0', vfr], { encoding: 'utf8' }).stdout.trim();
    const [num, den] = avg.split('/').map(Number);
    const rate = row.video.frameRate;
    expect(rate).toBe(num / den);
    const k = frameModulus(1, rate);
    const total = countFrames(vfr);
    // 10 frames in the first second, 30 in the next: two seconds of video, but 40 decoded frames.
    expect(total).toBe(40);
    expect(Math.floor(total / k)).toBeGreaterThan(2);
    expect(row.hashes.vpdq.map((f: Line) => f.frame)).toEqual([...Array(total).keys()].filter((n) => n % k === 0));
  });

  it('a stream whose frame size changes midway still gives every frame, at the size it started with', () => {
    const a = makeVideo(join(dir, 'big.ts'), sourceGraph('testsrc2', '160x120', '25', 1));
    const b = makeVideo(join(dir, 'small.ts'), sourceGraph('testsrc2', '96x64', '25', 1));
    const joined = join(dir, 'joined.ts');
    writeFileSync(joined, Buffer.concat([readFileSync(a), readFileSync(b)]));
    const [row] = ndjson([joined, '--seconds-per-hash', '0']);
    expect(row.error).toBeUndefined();
    expect(row.width).toBe(160);
    expect(row.hashes.vpdq).toHaveLength(50); // 25 frames at each size
  });

  it('a BT.709-tagged copy hashes as the untagged file (the reference ignores colour tags)', () => {
    const tagged = join(dir, 'tagged.mp4');
    ffmpeg(['-i', rates.film, '-c', 'copy', '-bsf:v', 'h264_metadata=matrix_coefficients=1:colour_primaries=1:transfer_characteristics=1', tagged]);
    const plain = hash([rates.film, '--format', 'vpdq']).stdout;
    expect(hash([tagged, '--format', 'vpdq']).stdout).toBe(plain);
  });

  it('audio as stream 0: the decoder\'s delayed frames at the end are not hashed, as in the reference', () => {
    const out = join(dir, 'audio-first.mp4');
    ffmpeg(['-f', 'lavfi', '-i', sourceGraph('testsrc2', '96x64', '25', 2), '-f', 'lavfi', '-i', 'sine=f=440:d=2', '-map', '1:a', '-map', '0:v', '-c:v', 'libx264', '-preset', 'medium', '-c:a', 'aac', out]);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=index,has_b_frames', '-of', 'csv=p=0', out], { encoding: 'utf8' }).stdout.trim();
    const [index, delay] = probe.split(',').map(Number);
    expect(index).toBe(1);
    expect(delay).toBeGreaterThan(0);
    const lines = parseLines(hash([out, '--format', 'vpdq', '--seconds-per-hash', '0']).stdout);
    expect(lines).toHaveLength(countFrames(out) - delay);
  });

  it('a file name that spells an ffmpeg protocol is read as that file, nothing else', () => {
    const other = makeVideo(join(dir, 'other.mp4'), sourceGraph('mandelbrot', '96x64', '10', 1));
    copyFileSync(other, join(dir, 'concat:film.mp4'));
    copyFileSync(rates.film, join(dir, 'film.mp4'));
    const r = spawnSync(process.execPath, [BIN, 'hash', 'concat:film.mp4', '--format', 'vpdq'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(hash([other, '--format', 'vpdq']).stdout);
    expect(r.stdout).not.toBe(hash([rates.film, '--format', 'vpdq']).stdout);
  });

  it('a video whose name is not UTF-8 is opened by its bytes and handed to ffmpeg as an open file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hashsieve-bytename-'));
    try {
      const name = Buffer.concat([Buffer.from(`${folder}/clip-`), Buffer.from([0xff, 0xfe]), Buffer.from('.mp4')]);
      writeFileSync(name, readFileSync(rates.film));
      const [row] = ndjson([folder]);
      expect(row.path_bytes).toBeDefined();
      expect(row.error).toBeUndefined();
      expect(row.hashes.vpdq.map((f: Line) => f.hash)).toEqual(parseLines(hash([rates.film, '--format', 'vpdq']).stdout).map((l) => l.hash));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('NDJSON: one record per video with its digests and its frames under hashes.vpdq', () => {
    const [row] = ndjson([rates.film]);
    expect(Object.keys(row.hashes)).toEqual(['sha256', 'vpdq']);
    expect(row.format).toBe('video');
    expect(row.hashes.vpdq[0]).toEqual({ frame: 0, quality: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/), timestamp: '0.000' });
    expect(row.width).toBe(96);
    expect(row.video).toMatchObject({ secondsPerHash: 1, codec: 'h264' });
  });

  describe('hostile files give coded errors, no hang, no ffmpeg left behind', () => {
    let bad: string;
    beforeAll(() => {
      bad = mkdtempSync(join(tmpdir(), 'hashsieve-badvideo-'));
      copyFileSync(rates.film, join(bad, 'truncated.mp4'));
      truncateSync(join(bad, 'truncated.mp4'), Math.floor(statSync(rates.film).size / 2));
      writeFileSync(join(bad, 'zero.mp4'), '');
      ffmpeg(['-f', 'lavfi', '-i', 'sine=f=440:d=1', '-c:a', 'aac', join(bad, 'audio.m4a')]);
      const raw = join(bad, 'raw.avi');
      ffmpeg(['-f', 'lavfi', '-i', sourceGraph('testsrc2', '64x48', '10', 0.5), '-c:v', 'rawvideo', '-pix_fmt', 'bgr24', raw]);
      for (const [name, side] of [['huge.avi', 100_000], ['big.avi', 12_000]] as const) {
        const b = Buffer.from(readFileSync(raw));
        const avih = b.indexOf('avih') + 8;
        b.writeUInt32LE(side, avih + 32);
        b.writeUInt32LE(side, avih + 36);
        const strf = b.indexOf('strf') + 8;
        b.writeInt32LE(side, strf + 4);
        b.writeInt32LE(side, strf + 8);
        writeFileSync(join(bad, name), b);
      }
      rmSync(raw);
    });
    afterAll(() => rmSync(bad, { recursive: true, force: true }));

    it.each([
      ['truncated.mp4', 'DECODE_FAILED'],
      ['zero.mp4', 'EMPTY_FILE'],
      ['audio.m4a', 'UNSUPPORTED_FORMAT'],
      ['huge.avi', 'DECODE_FAILED'],
      ['big.avi', 'TOO_MANY_PIXELS'],
    ])('%s → %s', (name, code) => {
      const started = Date.now();
      const [row] = ndjson([join(bad, name), '--algo', 'vpdq,sha256']);
      expect(row.error?.code).toBe(code);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(leftovers(bad)).toEqual([]);
    });

    it('--format vpdq takes exactly one file (a folder, two files or stdin are usage errors, exit 2)', () => {
      for (const args of [[bad], [rates.film, rates.one], ['-']]) {
        const r = hash([...args, '--format', 'vpdq']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/exactly one video file/);
      }
    });

    it('exit code 3 when a video could not be hashed; --format vpdq says why on stderr', () => {
      const r = hash([join(bad, 'audio.m4a'), '--format', 'vpdq']);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/UNSUPPORTED_FORMAT: The file has no video stream/);
    });

    it('--max-video-frames and --max-video-duration refuse longer videos (TOO_LARGE)', () => {
      expect(ndjson([rates.film, '--max-video-frames', '10'])[0].error?.code).toBe('TOO_LARGE');
      expect(ndjson([rates.film, '--max-video-duration', '1'])[0].error?.code).toBe('TOO_LARGE');
      expect(ndjson([rates.film, '--max-video-frames', '100'])[0].error).toBeUndefined();
      expect(leftovers(dir)).toEqual([]);
    });
  });

  it('a video that outlasts --video-timeout is stopped: TIMEOUT, and its ffmpeg is gone', () => {
    const long = makeVideo(join(dir, 'long.mp4'), sourceGraph('testsrc2', '640x360', '25', 60));
    const started = Date.now();
    const [row] = ndjson([long, '--video-timeout', '0.3', '--seconds-per-hash', '0']);
    expect(row.error?.code).toBe('TIMEOUT');
    expect(row.hashes.sha256).toBeDefined();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(leftovers(dir)).toEqual([]);
  });

  it('SIGTERM while a video is hashed: exit 130 at once, no ffmpeg left behind', async () => {
    const long = join(dir, 'long.mp4');
    if (!existsSync(long)) makeVideo(long, sourceGraph('testsrc2', '640x360', '25', 60));
    const child = spawn(process.execPath, [BIN, 'hash', long, '--seconds-per-hash', '0', '--format', 'ndjson'], { stdio: 'ignore' });
    // Wait until its ffmpeg runs (the signal must arrive mid-video).
    for (let i = 0; i < 1200 && child.exitCode === null && leftovers(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(leftovers(dir).length).toBeGreaterThan(0);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise((done) => child.on('close', done));
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(leftovers(dir)).toEqual([]);
  });
});
