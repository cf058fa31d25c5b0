/**
 * vPDQ of a video held in memory (an upload), never written to disk: the bytes are served to
 * ffmpeg from a one-request-path HTTP server on the loopback interface with byte-range support,
 * so containers whose index sits at the end (most mp4) can be read, then the server is closed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileError } from '../errors.js';
import { DEMUXERS } from './ffmpeg.js';
import { hashVideoInput, type VideoHashOptions, type VideoHashResult } from './hash.js';
import { sniffVideo, VIDEO_SNIFF_BYTES } from './sniff.js';

/** Answer GET/HEAD of `path` with `bytes`, honouring one `Range: bytes=a-b`; anything else is 404. */
function serve(bytes: Uint8Array, path: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const total = bytes.length;
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = total - 1;
    if (m && (m[1] !== '' || m[2] !== '')) {
      if (m[1] === '') start = Math.max(0, total - Number(m[2]));
      else {
        start = Number(m[1]);
        if (m[2] !== '') end = Math.min(end, Number(m[2]));
      }
      if (start >= total || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${total}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${total}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    } else {
      res.writeHead(200, { 'Content-Length': total, 'Accept-Ranges': 'bytes' });
    }
    if (req.method === 'HEAD') res.end();
    else res.end(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start + 1));
  };
}

/** Hash a video from memory; a FileError (UNSUPPORTED_FORMAT) when its first bytes are no video container. */
export async function hashVideoBuffer(bytes: Uint8Array, options: VideoHashOptions = {}): Promise<VideoHashResult> {
  const container = options.container ?? sniffVideo(bytes.subarray(0, VIDEO_SNIFF_BYTES));
  if (!container) throw new FileError('UNSUPPORTED_FORMAT', 'Not a video container this tool recognises');
  const path = `/${randomBytes(16).toString('hex')}`;
  const server = createServer(serve(bytes, path));
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  try {
    const demuxer = DEMUXERS[container];
    return await hashVideoInput({ url: `http://127.0.0.1:${port}${path}`, protocols: 'http,tcp', ...(demuxer ? { demuxer } : {}) }, options);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
}
