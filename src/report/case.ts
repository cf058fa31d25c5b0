/** Case metadata an examiner gives a scan; recorded in the manifest and in every report header that has one. */
export interface CaseInfo {
  readonly caseNumber?: string;
  readonly examiner?: string;
  readonly evidenceId?: string;
  readonly notes?: string;
}

/** The given fields only (absent ones left out), or null when none was given. */
export function caseRecord(c: CaseInfo | null | undefined): Record<string, string> | null {
  if (!c) return null;
  const out: Record<string, string> = {};
  if (c.caseNumber !== undefined) out.caseNumber = c.caseNumber;
  if (c.examiner !== undefined) out.examiner = c.examiner;
  if (c.evidenceId !== undefined) out.evidenceId = c.evidenceId;
  if (c.notes !== undefined) out.notes = c.notes;
  return Object.keys(out).length > 0 ? out : null;
}

/** Who wrote a report and from what: the DFXML `<creator>` and `<source>`. */
export interface ReportProvenance {
  readonly program: string;
  readonly version: string;
  readonly commandLine: readonly string[];
  /** Libraries as run (name, version). */
  readonly libraries: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  readonly host: { readonly hostname: string; readonly platform: string; readonly release: string; readonly arch: string };
  readonly startedAt: string;
  /** The scanned paths as given ('-' for paths read from stdin). */
  readonly inputs: readonly string[];
}
