import type { Readable } from 'node:stream';
import { fromBytes, type FsPath } from './fs-path.js';

/**
 * Lazily split a stream into paths ("\n" or NUL separated), as bytes, so a name that is not
 * UTF-8 survives (FsPath); blank entries and a trailing "\r" are dropped.
 */
export async function* readPaths(stream: Readable, separator: '\n' | '\0'): AsyncGenerator<FsPath> {
  const sep = separator === '\n' ? 0x0a : 0x00;
  const entry = (b: Buffer): FsPath | null => {
    const end = sep === 0x0a && b.length > 0 && b[b.length - 1] === 0x0d ? b.length - 1 : b.length;
    return end === 0 ? null : fromBytes(Buffer.from(b.subarray(0, end)));
  };
  let rest = Buffer.alloc(0);
  for await (const chunk of stream) {
    const buf = rest.length > 0 ? Buffer.concat([rest, Buffer.from(chunk as Uint8Array | string)]) : Buffer.from(chunk as Uint8Array | string);
    let start = 0;
    for (let i = buf.indexOf(sep, start); i !== -1; i = buf.indexOf(sep, start)) {
      const p = entry(buf.subarray(start, i));
      if (p !== null) yield p;
      start = i + 1;
    }
    rest = Buffer.from(buf.subarray(start));
  }
  const last = entry(rest);
  if (last !== null) yield last;
}

/** The given paths, with `-` replaced by the paths read from `stdin`: what `scan` and `hash` walk. */
export async function* expandInputs(paths: readonly string[], stdin: Readable, separator: '\n' | '\0'): AsyncGenerator<FsPath> {
  for (const p of paths) {
    if (p === '-') yield* readPaths(stdin, separator);
    else yield p;
  }
}
