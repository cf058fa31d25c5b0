/**
 * Recognise a video container by its first bytes, never by the file name: ISO BMFF / QuickTime
 * (mp4, mov, 3gp, m4v), Matroska/WebM, AVI, MPEG transport (188- and 192-byte packets) and
 * program streams, FLV, ASF/WMV, Ogg, RealMedia. HEIF/AVIF stills share ISO BMFF and stay images.
 */

/** Bytes of a file's head this module looks at. */
export const VIDEO_SNIFF_BYTES = 1024;

const ascii = (b: Uint8Array, at: number, s: string): boolean => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

/** ftyp major brands of still-image HEIF/AVIF files (sharp decodes them). */
const IMAGE_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'mif1', 'mif2', 'avif', 'avio', 'jxl ']);
/** Top-level QuickTime atoms an old .mov may start with, instead of ftyp. */
const QUICKTIME_ATOMS = ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'];
const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];

function isoBmff(b: Uint8Array): boolean {
  if (ascii(b, 4, 'ftyp')) {
    if (b.length < 12) return false;
    const brand = String.fromCharCode(b[8], b[9], b[10], b[11]);
    return !IMAGE_BRANDS.has(brand);
  }
  return QUICKTIME_ATOMS.some((atom) => ascii(b, 4, atom));
}

function transportStream(b: Uint8Array, packet: number, offset: number): boolean {
  const needed = 3;
  if (b.length < offset + packet * (needed - 1) + 1) return false;
  for (let i = 0; i < needed; i++) if (b[offset + i * packet] !== 0x47) return false;
  return true;
}

/** The container family of a file's head, or null when it is not a video container this knows. */
export function sniffVideo(head: Uint8Array): string | null {
  if (isoBmff(head)) return 'mp4';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'matroska';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'AVI ')) return 'avi';
  if (transportStream(head, 188, 0)) return 'mpegts';
  if (transportStream(head, 192, 4)) return 'mpegts';
  if (head[0] === 0 && head[1] === 0 && head[2] === 1 && (head[3] === 0xba || head[3] === 0xb3)) return 'mpeg';
  if (ascii(head, 0, 'FLV') && head[3] === 1) return 'flv';
  if (ASF_GUID.every((v, i) => head[i] === v)) return 'asf';
  if (ascii(head, 0, 'OggS')) return 'ogg';
  if (ascii(head, 0, '.RMF')) return 'rm';
  return null;
}
