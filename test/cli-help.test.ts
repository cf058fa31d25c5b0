import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { runInProcess, sink } from './support/cli.js';

/** Every command that runs something: the leaves of the command tree, as argv paths. */
function leaves(cmd: Command, path: string[] = []): string[][] {
  if (cmd.commands.length === 0) return [path];
  return cmd.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

function find(path: string[]): Command {
  return path.reduce((c, name) => c.commands.find((x) => x.name() === name)!, program as Command);
}

const program: Command = buildProgram({ stdin: process.stdin, stdout: sink(), stderr: sink(), env: {}, argv: [], setExitCode: () => undefined });
const commands = leaves(program);

describe('every command says its exit codes in --help', () => {
  it('finds the commands', () => {
    expect(commands.map((c) => c.join(' '))).toEqual(expect.arrayContaining(['hash', 'scan', 'match', 'eval', 'list import', 'list verify', 'bench match', 'bench hash', 'bench scan']));
  });

  it.each(commands.map((c) => [c.join(' '), c]))('%s --help', async (_name, path) => {
    const r = await runInProcess([...path, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExit codes: 0 [^\n]+\.\n/);
  });
});

describe('flags of the same kind are shaped the same in every command', () => {
  it.each(commands.map((c) => [c.join(' '), c]))('%s', (_name, path) => {
    for (const o of find(path).options) {
      // --json prints JSON on stdout; files are named with --out or --save.
      if (o.long === '--json') expect(o.required || o.optional, `${o.flags}`).toBe(false);
      if (o.long === '--out' || o.long === '--save') expect(o.required, `${o.flags}`).toBe(true);
      if (o.long === '--workers') expect(o.required, `${o.flags}`).toBe(true);
    }
  });
});

