/** A readExact over chunks written by an index's serialize, as a file would give them back. */
export function chunkReader(chunks: Uint8Array[]): (dst: Uint8Array) => void {
  const all = Buffer.concat(chunks);
  let at = 0;
  return (dst) => {
    if (at + dst.length > all.length) throw new Error('truncated');
    dst.set(all.subarray(at, at + dst.length));
    at += dst.length;
  };
}
