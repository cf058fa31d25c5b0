/**
 * Synthetic benign test videos made at test time with ffmpeg's own lavfi sources (testsrc2,
 * mandelbrot, life, cellauto, moving shapes) and transforms of them; nothing here is committed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Run ffmpeg; throws with its stderr tail when it fails. */
export function ffmpeg(args: readonly string[]): void {
  const r = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${(r.stderr ?? '').slice(-500)}`);
}

export type Source = 'testsrc2' | 'mandelbrot' | 'life' | 'cellauto' | 'shapes' | 'gradients';

/** A lavfi source graph of the given size, rate and duration. */
export function sourceGraph(source: Source, size: string, rate: string, seconds: number, seed = 1): string {
  switch (source) {
    case 'testsrc2':
      return `testsrc2=s=${size}:r=${rate}:d=${seconds}`;
    case 'mandelbrot':
      return `mandelbrot=s=${size}:r=${rate},trim=duration=${seconds}`;
    case 'life':
      return `life=s=${size}:r=${rate}:seed=${seed}:mold=10:ratio=0.3:death_color=#204060:life_color=#e0c020,trim=duration=${seconds}`;
    case 'cellauto':
      return `cellauto=s=${size}:r=${rate}:seed=${seed}:rule=${18 + (seed % 100)},trim=duration=${seconds}`;
    case 'gradients':
      return `gradients=s=${size}:r=${rate}:seed=${seed}:speed=0.05:d=${seconds}`;
    case 'shapes':
      // A bright disc circling over a dark noise-free background.
      return (
        `color=c=0x203040:s=${size}:r=${rate}:d=${seconds},` +
        `geq=lum='if(lt(hypot(X-W/2-W/4*cos(T*${1 + (seed % 5)}),Y-H/2-H/4*sin(T*${1 + (seed % 3)})),H/6),230,40+X*100/W)':cb=128:cr=${100 + (seed % 60)}`
      );
  }
}

/** Encode a lavfi source to `out` (H.264 in mp4 unless the extension says otherwise). */
export function makeVideo(out: string, graph: string, extra: readonly string[] = []): string {
  const codec = out.endsWith('.webm') ? ['-c:v', 'libvpx-vp9', '-b:v', '300k'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  // A name without a container extension (e.g. clip.bin) is written as mp4.
  const container = /\.(mp4|mkv|webm|avi|ts|mov)$/.test(out) ? [] : ['-f', 'mp4'];
  ffmpeg(['-f', 'lavfi', '-i', graph, ...codec, ...extra, ...container, out]);
  return out;
}

/** The transforms eval and the end-to-end tests apply to a source video. */
export const TRANSFORMS: Readonly<Record<string, readonly string[]>> = {
  reencode: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '32'],
  scale: ['-vf', 'scale=iw/2:-2', '-c:v', 'libx264', '-preset', 'ultrafast'],
  crop: ['-vf', 'crop=iw*0.9:ih*0.9', '-c:v', 'libx264', '-preset', 'ultrafast'],
  trim: ['-ss', '1', '-c:v', 'libx264', '-preset', 'ultrafast'],
  pad: ['-vf', 'pad=iw+32:ih+32:16:16', '-c:v', 'libx264', '-preset', 'ultrafast'],
  fps: ['-vf', 'fps=15', '-c:v', 'libx264', '-preset', 'ultrafast'],
  flip: ['-vf', 'hflip', '-c:v', 'libx264', '-preset', 'ultrafast'],
};

/** Apply a named transform to `src`, writing `dir/<name>.mp4`. */
export function transformVideo(src: string, dir: string, name: string): string {
  const out = join(dir, `${name}.mp4`);
  ffmpeg(['-i', src, ...TRANSFORMS[name], '-pix_fmt', 'yuv420p', '-an', out]);
  return out;
}
