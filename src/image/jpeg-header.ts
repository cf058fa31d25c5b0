/**
 * The stored size of a JPEG from its frame header (SOF), read in JavaScript so that a scan does
 * not spend a second libvips call (sharp's metadata(), a thread round trip per file) only to
 * learn the size its shrink-on-load needs.
 *
 * Deliberately strict: markers must follow one another exactly as libjpeg reads them when it
 * has nothing to warn about. Anything else (garbage between segments, a truncated segment, a
 * frame header that leaves the height to a DNL marker, scan data before any frame header)
 * returns null and the caller asks libvips, so this parser only ever answers where libjpeg
 * would read the same size.
 */

/** Start-of-frame markers (SOF0-SOF15), less DHT (C4), JPG (C8) and DAC (CC). */
function isFrameMarker(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

/** Markers without a length field: TEM and RST0-RST7. */
function isStandalone(m: number): boolean {
  return m === 0x01 || (m >= 0xd0 && m <= 0xd7);
}

/** Bytes of a frame header up to and including the width: length (2), precision, height (2), width (2). */
const FRAME_HEADER_BYTES = 7;

export function jpegSize(data: Uint8Array): { width: number; height: number } | null {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8 || data[2] !== 0xff) return null;
  let i = 2;
  for (;;) {
    if (i + 1 >= data.length || data[i] !== 0xff) return null;
    while (data[i] === 0xff && i + 1 < data.length) i++; // fill bytes before a marker code
    const marker = data[i++];
    if (marker === 0xff || isStandalone(marker)) continue;
    // SOI again, EOI or SOS before any frame header: not a file libjpeg reads without complaint.
    if (marker === 0xd8 || marker === 0xd9 || marker === 0xda || marker === 0x00) return null;
    if (i + 2 > data.length) return null;
    const length = (data[i] << 8) | data[i + 1];
    if (length < 2 || i + length > data.length) return null;
    if (isFrameMarker(marker)) {
      if (length < FRAME_HEADER_BYTES + 1) return null;
      const height = (data[i + 3] << 8) | data[i + 4];
      const width = (data[i + 5] << 8) | data[i + 6];
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += length;
  }
}
