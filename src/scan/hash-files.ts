/**
 * `hash` as a library call: the scan's walk and input rules, hashFile on each file with bounded
 * concurrency, records written in walk order through the report sinks.
 */
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { hashFile, type HashRequest } from '../hash.js';
import { createHashFormatter, type HashFormat, type HashRecord } from '../report/hash-formats.js';
import { pathFields } from '../report/path-text.js';
import { fileSink, streamSink } from '../report/sink.js';
import type { SignalType } from '../signals/types.js';
import type { FsPath } from './fs-path.js';
import { walk, type WalkItem, type WalkOptions } from './walk.js';

export interface HashFilesConfig {
  readonly inputs: AsyncIterable<FsPath> | Iterable<FsPath>;
  readonly walk: WalkOptions;
  readonly signals: readonly SignalType[];
  readonly request: HashRequest;
  /** Files hashed at once. */
  readonly concurrency: number;
  readonly format: HashFormat;
  /** Output file; null = the `stdout` stream. */
  readonly out: string | null;
  /** Replace an existing output file (refused otherwise). */
  readonly overwrite?: boolean;
}

export interface HashFilesResult {
  /** Records written. */
  readonly records: number;
  /** Records with an error (the file, or part of its hashing, failed). */
  readonly failed: number;
  readonly skipped: number;
  /** Entries the include/exclude globs dropped. */
  readonly filtered: number;
  /** Regular files the walk found to hash. */
  readonly files: number;
}

async function recordOf(item: WalkItem, request: HashRequest): Promise<HashRecord> {
  const path = pathFields(item.path);
  if (item.kind === 'error') return { ...path, size: 0, hashes: {}, error: item.error };
  if (item.kind === 'skip') return { ...path, size: item.size, hashes: {}, skip: { reason: item.reason, message: item.message } };
  const { path: _shown, ...rest } = await hashFile(item.path, request);
  return { ...path, ...rest };
}

export async function hashFiles(c: HashFilesConfig, io: { readonly stdout: Writable }): Promise<HashFilesResult> {
  if (c.out !== null && c.overwrite !== true && existsSync(c.out)) {
    throw new UsageError(`\`out\` ${c.out} already exists; set \`overwrite\` to replace it`);
  }
  const counters = { filtered: 0, files: 0 };
  const items = walk(c.inputs, { ...c.walk, ownOutputs: c.out === null ? [] : [c.out], counters });
  const sink = c.out === null ? streamSink(io.stdout) : fileSink(c.out, null);
  const formatter = createHashFormatter(c.format, { signals: c.signals, dihedral: Boolean(c.request.hashOptions?.dihedral) });
  let records = 0;
  let failed = 0;
  let skipped = 0;
  const emit = async (r: HashRecord): Promise<void> => {
    records += 1;
    if (r.error) failed += 1;
    if (r.skip) skipped += 1;
    sink.write(formatter.record(r));
    await sink.flush(false);
  };
  try {
    sink.write(formatter.begin());
    const inFlight: Promise<HashRecord>[] = [];
    for await (const item of items) {
      const p = recordOf(item, c.request);
      p.catch(() => undefined);
      inFlight.push(p);
      if (inFlight.length >= c.concurrency) await emit(await inFlight.shift()!);
    }
    while (inFlight.length > 0) await emit(await inFlight.shift()!);
  } finally {
    await sink.close();
  }
  return { records, failed, skipped, filtered: counters.filtered, files: counters.files };
}
