/**
 * A vPDQ index over the videos of stored lists: the store keeps one entry per distinct frame hash
 * of a list video (signal vpdq, the video's id as external id), so frames are grouped back into
 * videos by (list, external id) and indexed together (src/video/match.ts).
 */
import type { StoreReader } from '../store/types.js';
import { VpdqIndex, type ListVideo, type VpdqMatchOptions } from './match.js';

export interface ListVideoRef {
  readonly list: string;
  /** The video's id in its list (from the reference file's name at import). */
  readonly entry: string | null;
  readonly category: string | null;
}

const FRAME_BYTES = 32;
const LOOKUP_CHUNK = 10_000;

/** Every stored vpdq frame of these lists, grouped by video, in one VpdqIndex. */
export function buildListVideoIndex(
  store: StoreReader,
  signal: string,
  lists: readonly string[],
  options: Partial<VpdqMatchOptions> = {},
): VpdqIndex<ListVideoRef> {
  const packed = store.loadPacked(signal, lists);
  const videos = new Map<string, { ref: ListVideoRef; frames: { hash: Uint8Array; quality: number }[] }>();
  for (let start = 0; start < packed.count; start += LOOKUP_CHUNK) {
    const ids = Array.from(packed.ids.subarray(start, Math.min(packed.count, start + LOOKUP_CHUNK)));
    const info = store.entries(ids);
    ids.forEach((id, k) => {
      const e = info.get(id);
      if (!e) return;
      const key = `${e.list}\u0000${e.externalId ?? ''}\u0000${e.category ?? ''}`;
      let v = videos.get(key);
      if (!v) {
        v = { ref: { list: e.list, entry: e.externalId, category: e.category }, frames: [] };
        videos.set(key, v);
      }
      const at = (start + k) * FRAME_BYTES;
      // Stored frames passed the quality cut-off at import.
      v.frames.push({ hash: packed.bytes.subarray(at, at + FRAME_BYTES), quality: 100 });
    });
  }
  const list: ListVideo<ListVideoRef>[] = [...videos.values()].map((v) => ({ id: v.ref, frames: v.frames }));
  return VpdqIndex.build(list, options);
}
