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


describe('the worker count is --workers in every command', () => {
  const OLD = ['--jobs', '-j', '--concurrency', '--threads'];

  it.each(['hash', 'scan', 'eval', 'bench match', 'bench hash', 'bench scan'].map((c) => [c]))('%s shows --workers and no old spelling', (name) => {
    const visible = find(name.split(' ')).options.filter((o) => !o.hidden);
    expect(visible.map((o) => o.long)).toContain('--workers');
    for (const o of visible) expect(OLD, o.flags).not.toContain(o.long);
    for (const o of visible) expect(OLD, o.flags).not.toContain(o.short);
  });

  it('no command shows an old spelling in --help', async () => {
    for (const path of commands) {
      const r = await runInProcess([...path, '--help']);
      for (const old of OLD) expect(r.stdout, `${path.join(' ')}: ${old}`).not.toMatch(new RegExp(`(^|[\\s,])${old}\\b`));
    }
  });

  // The old spellings were documented, so scripts may use them: they still work, with one note.
  it.each([
    [['hash', '-j', '0', 'fixtures/images/a.png'], '-j', '--jobs'],
    [['hash', '--jobs', '0', 'fixtures/images/a.png'], '--jobs', '--jobs'],
    [['eval', '--quick', '--concurrency', '0'], '--concurrency', '--concurrency'],
    [['bench', 'match', '--threads', '0'], '--threads', '--threads'],
  ])('%j still works as a deprecated alias of --workers', async (args, _given, long) => {
    const r = await runInProcess(args);
    // The value reaches --workers (0 is refused there), after one deprecation line.
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hashsieve: ${long} is deprecated; use --workers\nhashsieve: Expected a positive integer for --workers but received "0"\n`);
  });

  it('the old spelling hashes as --workers does, and both together are refused', async () => {
    const r = await runInProcess(['hash', '--algo', 'md5', '--format', 'csv', '-j', '1', 'fixtures/images/a.png']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('hashsieve: --jobs is deprecated; use --workers\n');
    expect(r.stdout).toBe((await runInProcess(['hash', '--algo', 'md5', '--format', 'csv', '--workers', '1', 'fixtures/images/a.png'])).stdout);
    const both = await runInProcess(['hash', '--workers', '2', '--jobs', '1', 'fixtures/images/a.png']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('hashsieve: Give --workers only (--jobs is its deprecated old name)\n');
  });
});
