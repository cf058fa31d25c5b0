import type { PackedHashes } from '../types.js';

/** What a list's matches mean: findings ('known') or files to set aside ('known-good', e.g. NSRL). */
export type ListKind = 'known' | 'known-good';
export const LIST_KINDS: readonly ListKind[] = ['known', 'known-good'];

/** One imported hash list, as `list ls/info` and the forensic manifest show it (never its hashes). */
export interface ListInfo {
  readonly id: number;
  readonly name: string;
  /** 'known' for a store from before kinds. */
  readonly kind: ListKind;
  readonly sourceOrg: string | null;
  readonly version: string | null;
  readonly description: string | null;
  /** ISO 8601 UTC. */
  readonly importedAt: string;
  readonly sourceFile: string | null;
  /** sha256 of the imported file, lowercase hex. */
  readonly sourceSha256: string | null;
  /** Entry counts per signal name. */
  readonly counts: Readonly<Record<string, number>>;
  readonly signatureStatus: 'verified' | 'unsigned';
  readonly keyFingerprint: string | null;
  /** Digest over the list's entries, recorded at import; `list verify` recomputes it. */
  readonly entriesDigest: string;
}

/** What a match report needs about one entry. */
export interface EntryInfo {
  readonly id: number;
  readonly list: string;
  readonly signal: string;
  readonly externalId: string | null;
  readonly category: string | null;
  readonly tags: readonly string[];
}

/** The read side the scanner and `match` use (store opened read-only). */
export interface StoreReader {
  lists(): ListInfo[];
  /** Every hash of `signal` in the named lists (all lists when omitted), packed for an index. */
  loadPacked(signal: string, listNames?: readonly string[]): PackedHashes;
  /** Metadata for entry ids (as given to the index). Unknown ids are absent from the map. */
  entries(ids: readonly number[]): Map<number, EntryInfo>;
  close(): void;
}
