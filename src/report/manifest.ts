import { safeJson } from './escape.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { caseRecord, type CaseInfo } from './case.js';
import type { ScanSummary } from './types.js';

/** One hash list as the manifest records it: provenance and counts, never its hashes. */
export interface ManifestList {
  readonly name: string;
  readonly kind: string;
  readonly version: string | null;
  readonly sourceOrg: string | null;
  readonly sourceFile: string | null;
  readonly sourceSha256: string | null;
  readonly importedAt: string;
  readonly signatureStatus: string;
  readonly keyFingerprint: string | null;
  readonly entriesDigest: string;
  readonly counts: Readonly<Record<string, number>>;
}

export interface ManifestInput {
  readonly toolVersion: string;
  readonly runtime: { readonly node: string; readonly sharp: string | null; readonly libvips: string | null };
  readonly commandLine: readonly string[];
  readonly cwd: string;
  readonly host: {
    readonly hostname: string;
    readonly platform: string;
    readonly release: string;
    readonly arch: string;
    readonly cpus: number;
  };
  /** Case metadata as given (null: none). */
  readonly case?: CaseInfo | null;
  readonly startedAt: string;
  /** When earlier runs of the same scan were resumed (empty for a scan done in one run). */
  readonly resumedAt: readonly string[];
  readonly endedAt: string;
  readonly database: string;
  readonly lists: readonly ManifestList[];
  readonly signals: readonly string[];
  readonly thresholds: Readonly<Record<string, number>>;
  readonly options: Readonly<Record<string, unknown>>;
  readonly totals: ScanSummary;
  /** Counts of an audit against a list describing the tree (absent without one). */
  readonly audit?: Readonly<Record<string, unknown>>;
  /** null when the report went to stdout. */
  readonly reportPath: string | null;
  readonly reportFormat: string;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Write the forensic manifest (JSON). The report must be complete and closed first. */
export async function writeManifest(path: string, input: ManifestInput): Promise<void> {
  const report = {
    path: input.reportPath,
    format: input.reportFormat,
    sha256: input.reportPath === null ? null : await sha256File(input.reportPath),
  };
  const manifest = {
    manifestVersion: 1,
    tool: { name: 'hashsieve', version: input.toolVersion },
    runtime: input.runtime,
    commandLine: input.commandLine,
    cwd: input.cwd,
    host: input.host,
    case: caseRecord(input.case),
    startedAt: input.startedAt,
    resumedAt: input.resumedAt,
    endedAt: input.endedAt,
    database: input.database,
    lists: input.lists,
    signals: input.signals,
    thresholds: input.thresholds,
    options: input.options,
    totals: input.totals,
    ...(input.audit && { audit: input.audit }),
    report,
  };
  await writeFile(path, `${safeJson(manifest, 2)}\n`, { mode: 0o600 });
}
