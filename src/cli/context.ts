import type { Readable, Writable } from 'node:stream';

/** What a command needs from the process; tests can supply their own. */
export interface CliContext {
  readonly stdin: Readable;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly argv: readonly string[];
  /** Commands set the process exit code through this; only main() returns it. */
  setExitCode(code: number): void;
}

export const EXIT = Object.freeze({
  OK: 0,
  MATCH: 1,
  USAGE: 2,
  FILE_ERRORS: 3,
  INTERRUPTED: 130,
});
