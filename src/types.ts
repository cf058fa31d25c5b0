/** Data shapes shared across layers (image decoding and signals; store, search and scan). */

/** Raw interleaved 8-bit pixels with an explicit row stride (bytes per row, >= width * channels). */
export interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  readonly channels: 1 | 2 | 3 | 4;
  /** Bytes from the start of one row to the next. */
  readonly stride: number;
}

/** Hashes packed back to back: n * (bits / 8) bytes, each hash in the signal's byte order. */
export interface PackedHashes {
  readonly bits: number;
  readonly count: number;
  /** n * bits/8 bytes. byteOffset must be a multiple of 8 (so it can be viewed as 32/64-bit words). */
  readonly bytes: Uint8Array;
  /** Entry ids (the store's row ids), one per hash, same order. */
  readonly ids: Uint32Array;
}
