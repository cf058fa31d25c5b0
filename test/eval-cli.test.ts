import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TRANSFORMS } from '../src/synthetic/transforms.js';

const BIN = fileURLToPath(new URL('../bin/hashsieve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hashsieve-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function hashsieve(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, HASHSIEVE_DEBUG: '' } }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

interface Summary {
  n: number;
  min: number | null;
  median: number | null;
  p95: number | null;
  max: number | null;
}

describe('hashsieve eval (built binary)', () => {
  it('--quick writes a complete report, SVGs and a summary', async () => {
    const json = join(dir, 'quick.json');
    const svgDir = join(dir, 'svg');
    const r = await hashsieve('eval', '--quick', '--save', json, '--svg-dir', svgDir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('True-positive rate at the default threshold');

    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.schema).toBe('hashsieve-eval/1');
    expect(report.quick).toBe(true);
    expect(report.seed).toBe(1);
    expect(report.size).toEqual({ unrelatedSources: 60, transformedSources: 3, minSide: 128, maxSide: 256 });
    expect(report.transforms.map((t: { id: string }) => t.id)).toEqual(TRANSFORMS.map((t) => t.id));
    expect(Object.keys(report.timing).sort()).toEqual(['hashingSeconds', 'pairsSeconds', 'totalSeconds']);

    const ids = report.signals.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['pdq', 'pdq-dihedral', 'blockhash']));
    for (const s of report.signals) {
      expect(s.bits).toBe(256);
      expect(s.histogram).toBeUndefined();
      expect(s.unrelated.pairs).toBe((60 * 59) / 2);
      expect(s.unrelated.histogram).toHaveLength(257);
      expect(s.unrelated.fpRateUpper95).toBeGreaterThanOrEqual(s.unrelated.fpRate);
      expect(s.unrelated.fpRateUpper95).toBeLessThan(1);
      expect(s.transforms).toHaveLength(TRANSFORMS.length);
      for (const t of s.transforms) {
        const d: Summary = t.distance;
        expect(t.n).toBe(3);
        expect(d.min!).toBeLessThanOrEqual(d.median!);
        expect(d.median!).toBeLessThanOrEqual(d.p95!);
        expect(d.p95!).toBeLessThanOrEqual(d.max!);
        expect(t.tpRate95[0]).toBeLessThanOrEqual(t.tpRate);
        expect(t.tpRate95[1]).toBeGreaterThanOrEqual(t.tpRate);
      }
      const png = s.transforms.find((t: { id: string }) => t.id === 'png');
      expect(png.distance.max).toBe(0);
      expect(png.tpRate).toBe(1);
      expect(s.thresholds.some((row: { threshold: number }) => row.threshold === s.threshold)).toBe(true);
    }
    const rot90 = (id: string) => report.signals.find((s: { id: string }) => s.id === id).transforms.find((t: { id: string }) => t.id === 'rot90');
    expect(rot90('pdq-dihedral').distance.median).toBeLessThan(rot90('pdq').distance.median);

    const files = readdirSync(svgDir).sort();
    expect(files).toEqual([...ids.map((id: string) => `${id}.svg`), 'transforms.svg'].sort());
    for (const f of files) expect(readFileSync(join(svgDir, f), 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
  });

  it('is reproducible: the same seed gives byte-identical JSON apart from timing', async () => {
    const strip = (file: string) => readFileSync(file, 'utf8').replace(/"timing": \{[^}]*\}/, '');
    const files = ['a', 'b'].map((name) => join(dir, `${name}.json`));
    const args = ['eval', '--quick', '--sources', '6', '--transformed', '1', '--seed', '9', '--signals', 'blockhash'];
    const runs = await Promise.all(files.map((file) => hashsieve(...args, '--save', file)));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const [a, b] = files.map(strip);
    expect(b).toBe(a);
    expect(a).toContain('"seed": 9');
    expect(JSON.parse(readFileSync(files[0], 'utf8')).signals.map((s: { id: string }) => s.id)).toEqual(['blockhash']);
  });

  it('--json prints the result as JSON on stdout, as --json does in every command', async () => {
    const r = await hashsieve('eval', '--quick', '--sources', '4', '--transformed', '1', '--seed', '5', '--signals', 'blockhash', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ seed: 5 });
  });

  it('rejects bad arguments with exit code 2', async () => {
    const cases = [['--sources', '1'], ['--seed', 'x'], ['--signals', 'sha256'], ['--sources', '4', '--transformed', '5']];
    const runs = await Promise.all(cases.map((args) => hashsieve('eval', '--quick', ...args)));
    runs.forEach((r, i) => {
      expect(r.status, cases[i].join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^hashsieve: /);
    });
  });
});
