import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('package entry', () => {
  it('`import "hashsieve"` resolves to the built library with every API area', () => {
    const script = `import('hashsieve').then((m) => console.log(JSON.stringify(
      ['hashFile', 'getSignal', 'buildHammingIndex', 'openStore', 'importList', 'scan', 'runMatchBench', 'runEval']
        .map((k) => [k, typeof m[k]]))))`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    for (const [name, type] of JSON.parse(out) as [string, string][]) {
      expect(type, name).toBe('function');
    }
  });
});
