/**
 * Synthetic benign videos from ffmpeg's own lavfi sources (testsrc2, mandelbrot, life, cellauto,
 * gradients, a moving disc) and the transforms eval and the tests apply to them. Used by `eval
 * --video`, `bench hash --video` and the tests; files go where the caller says (a temp folder).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FileError } from '../errors.js';
import { resolveFfmpeg, type FfmpegConfig } from './ffmpeg.js';

/** Run ffmpeg to make a file; throws FileError with ffmpeg's last words when it fails. */
export function ffmpeg(args: readonly string[], config: FfmpegConfig = {}): void {
  const program = resolveFfmpeg(config).ffmpeg;
  const r = spawnSync(program, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new FileError('DECODE_FAILED', `ffmpeg could not make a synthetic video: ${(r.stderr ?? '').trim().slice(-300)}`);
}

export type Source = 'testsrc2' | 'mandelbrot' | 'life' | 'cellauto' | 'shapes' | 'gradients';
export const SOURCES: readonly Source[] = ['testsrc2', 'mandelbrot', 'life', 'cellauto', 'shapes', 'gradients'];

/** A lavfi source graph of the given size ("WxH"), rate and duration; `seed` varies the content. */
export function sourceGraph(source: Source, size: string, rate: string, seconds: number, seed = 1): string {
  switch (source) {
    case 'testsrc2':
      return `testsrc2=s=${size}:r=${rate}:d=${seconds + (seed % 20) * 3},trim=start=${(seed % 20) * 3},setpts=PTS-STARTPTS,hue=h=${(seed * 47) % 360}`;
    case 'mandelbrot':
      return `mandelbrot=s=${size}:r=${rate}:maxiter=1024:start_x=${-0.743643887 + (seed % 5) * 0.3}:start_y=${0.131825904 - (seed % 3) * 0.2}:start_scale=${3 + (seed % 4)},trim=duration=${seconds}`;
    case 'life':
      return `life=s=${size}:r=${rate}:seed=${seed}:mold=10:ratio=0.3:death_color=#204060:life_color=#e0c020,trim=duration=${seconds}`;
    case 'cellauto':
      return `cellauto=s=${size}:r=${rate}:seed=${seed}:rule=${[18, 22, 30, 45, 54, 60, 90, 105, 110, 150][seed % 10]},trim=duration=${seconds}`;
    case 'gradients':
      return `gradients=s=${size}:r=${rate}:seed=${seed}:speed=0.05:d=${seconds}`;
    case 'shapes':
      // A bright disc circling over a shaded background.
      return (
        `color=c=0x203040:s=${size}:r=${rate}:d=${seconds},` +
        `geq=lum='if(lt(hypot(X-W/2-W/4*cos(T*${1 + (seed % 5)}),Y-H/2-H/4*sin(T*${1 + (seed % 3)})),H/6),230,40+X*100/W)':cb=128:cr=${100 + (seed % 60)}`
      );
  }
}

/** Encode a lavfi source to `out` (H.264 in mp4 unless the extension says webm, mkv, avi, ts or mov). */
export function makeVideo(out: string, graph: string, extra: readonly string[] = [], config: FfmpegConfig = {}): string {
  const codec = out.endsWith('.webm') ? ['-c:v', 'libvpx-vp9', '-b:v', '300k'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  // A name without a container extension (e.g. clip.bin) is written as mp4.
  const container = /\.(mp4|mkv|webm|avi|ts|mov)$/.test(out) ? [] : ['-f', 'mp4'];
  ffmpeg(['-f', 'lavfi', '-i', graph, ...codec, ...extra, ...container, out], config);
  return out;
}

/** The transforms eval and the end-to-end tests apply to a source video (ffmpeg output options). */
export const VIDEO_TRANSFORMS: Readonly<Record<string, readonly string[]>> = {
  reencode: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '32'],
  scale: ['-vf', 'scale=iw/2:-2', '-c:v', 'libx264', '-preset', 'ultrafast'],
  crop: ['-vf', 'crop=iw*0.9:ih*0.9', '-c:v', 'libx264', '-preset', 'ultrafast'],
  trim: ['-ss', '1', '-c:v', 'libx264', '-preset', 'ultrafast'],
  pad: ['-vf', 'pad=iw+32:ih+32:16:16', '-c:v', 'libx264', '-preset', 'ultrafast'],
  fps: ['-vf', 'fps=15', '-c:v', 'libx264', '-preset', 'ultrafast'],
  flip: ['-vf', 'hflip', '-c:v', 'libx264', '-preset', 'ultrafast'],
};

/** Apply a named transform to `src`, writing `dir/<prefix><name>.mp4`. */
export function transformVideo(src: string, dir: string, name: string, prefix = '', config: FfmpegConfig = {}): string {
  const out = join(dir, `${prefix}${name}.mp4`);
  ffmpeg(['-i', src, ...VIDEO_TRANSFORMS[name], '-pix_fmt', 'yuv420p', '-an', out], config);
  return out;
}
