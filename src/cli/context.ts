import type { Readable, Writable } from 'node:stream';
import type { HasherFactory } from '../scan/pool.js';

/** What a command needs from the process; tests can supply their own. */
export interface CliContext {
  readonly stdin: Readable;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly argv: readonly string[];
  /** Commands set the process exit code through this; only main() returns it. */
  setExitCode(code: number): void;
  /** Where `scan` hashes files (default: its pool of worker threads); tests inject faults here. */
  readonly createHasher?: HasherFactory;
}

export const EXIT = Object.freeze({
  OK: 0,
  MATCH: 1,
  USAGE: 2,
  FILE_ERRORS: 3,
  INTERRUPTED: 130,
});
