/** Running the CLI in process through main(), with its output collected. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';

/** A writable that keeps what was written, as text. */
export function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `hashsieve ARGS…` through main(), as the binary would run it, with stdout and stderr collected. */
export async function runInProcess(args: readonly string[], overrides: Partial<CliContext> = {}): Promise<InProcessRun> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(['node', 'hashsieve', ...args], { stdout, stderr, ...overrides });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
