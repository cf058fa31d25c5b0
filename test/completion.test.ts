import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runInProcess } from './support/cli.js';

async function script(shell: string): Promise<{ code: number; text: string; err: string }> {
  const r = await runInProcess(['completion', shell]);
  return { code: r.code, text: r.stdout, err: r.stderr };
}

/** What bash offers after typing `words` (the last one partial). */
function complete(bashScript: string, words: string[]): string[] {
  const line = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `eval "$SCRIPT"; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _hashsieve; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    env: { ...process.env, SCRIPT: bashScript },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('hashsieve completion', () => {
  it('bash: completes commands, subcommands and options from the command tree', async () => {
    const { code, text } = await script('bash');
    expect(code).toBe(0);
    expect(complete(text, ['hashsieve', 'li'])).toEqual(['list']);
    expect(complete(text, ['hashsieve', 'list', 'im'])).toEqual(['import']);
    expect(complete(text, ['hashsieve', 'scan', '--fo'])).toEqual(['--follow-symlinks', '--force', '--format']);
    expect(complete(text, ['hashsieve', 'bench', ''])).toEqual(['match', 'hash', 'scan', 'serve', 'fleet']);
    expect(complete(text, ['hashsieve', 'list', 'import', '--sk'])).toEqual(['--skip-invalid']);
    // Deprecated spellings still parse but are not offered.
    expect(complete(text, ['hashsieve', 'hash', '--wo'])).toEqual(['--workers']);
    expect(complete(text, ['hashsieve', 'hash', '-j'])).toEqual([]);
    expect(complete(text, ['hashsieve', 'hash', '--jo'])).toEqual([]);
    expect(complete(text, ['hashsieve', 'bench', 'match', '--th'])).toEqual([]);
  });

  it('zsh: the same function through bashcompinit', async () => {
    const { code, text } = await script('zsh');
    expect(code).toBe(0);
    expect(text).toContain('bashcompinit');
    expect(text).toContain('complete -o default -o bashdefault -F _hashsieve hashsieve');
  });

  it('refuses another shell with exit 2', async () => {
    const r = await script('fish');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Expected one of bash, zsh for the shell but received "fish"');
  });
});
