import type { Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.js';
import { escapeControls } from '../report/escape.js';
import { VERSION } from '../version.js';
import { withFlags } from './args.js';
import { EXIT, type CliContext } from './context.js';
import { register as registerHash } from './commands/hash.js';
import { register as registerList } from './commands/list.js';
import { register as registerScan } from './commands/scan.js';
import { register as registerMatch } from './commands/match.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerToken } from './commands/token.js';
import { register as registerCompletion } from './commands/completion.js';
import { register as registerWorker } from './commands/worker.js';
import { register as registerFleet } from './commands/fleet.js';

/**
 * Each command module exports `register(program, ctx)`, which declares its options and an
 * action that dynamically imports its heavy code, so `hashsieve list ls` never loads sharp.
 */
const COMMANDS = [registerHash, registerList, registerScan, registerMatch, registerEval, registerBench, registerServe, registerToken, registerCompletion, registerWorker, registerFleet];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('hashsieve')
    .description('Perceptual and exact image hashing and matching against known-content hash lists (metadata only)')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .showHelpAfterError(false)
    // Root options go before the command name, so `list import --version V` names the list's
    // version instead of printing the program's.
    .enablePositionalOptions();
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/** Entry point: parse, run, map errors to exit codes. The only place that decides the code. */
export async function main(argv: readonly string[], overrides: Partial<CliContext> = {}): Promise<number> {
  let exitCode: number = EXIT.OK;
  const ctx: CliContext = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    argv,
    setExitCode: (code) => {
      exitCode = code;
    },
    ...overrides,
  };
  const program = buildProgram(ctx);
  ignoreBrokenPipe(ctx.stdout);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') return exitCode;
    if (e instanceof CommanderError) {
      // --help and --version end through here with exitCode 0.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof UsageError) {
      ctx.stderr.write(`hashsieve: ${escapeControls(withFlags(e.message))}\n`);
      return EXIT.USAGE;
    }
    const err = e as Error;
    ctx.stderr.write(`hashsieve: fatal: ${escapeControls(withFlags(err?.message ?? String(e)))}\n`);
    if (ctx.env.HASHSIEVE_DEBUG) ctx.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT.USAGE;
  }
}

const guarded = new WeakSet<Writable>();

/**
 * A reader that goes away (`| head`) is not an error: what was asked for was read, so the command
 * stops quietly, as Unix tools do, instead of dying on an unhandled 'error' event (which is how
 * help text and exports met a closed pipe). Later writes are dropped; a command awaiting a write
 * sees EPIPE and `main` returns its exit code so far. Other stream errors stay fatal. The listener
 * stays on the stream for the process's life: the error can arrive after `main` has returned.
 */
function ignoreBrokenPipe(stream: Writable): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
