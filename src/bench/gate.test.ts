import { describe, expect, it } from 'vitest';
import { compareResults } from './gate.js';
import { BENCH_SCHEMA, parseBenchResult, type BenchResult, type Figure } from './schema.js';

const env = {
  hashsieve: '0.1.0', node: 'v20.0.0', sharp: '0.35.5', libvips: '8.18.7', platform: 'linux', arch: 'x64',
  cpuModel: 'Test CPU', cores: 2, loadAverage: [0, 0, 0], totalMemoryBytes: 1,
};

function fig(name: string, better: 'higher' | 'lower', median: number, params: Figure['params'] = { n: 1000 }): Figure {
  return { name, unit: 'x', better, params, median, min: median, max: median, q1: median, q3: median, values: [median] };
}

function result(figures: Figure[], over: Partial<BenchResult> = {}): BenchResult {
  return { schema: BENCH_SCHEMA, kind: 'match', startedAt: '2026-01-01T00:00:00Z', seed: 1, parameters: {}, environment: env, figures, ...over };
}

const base = result([fig('queries_per_s', 'higher', 1000), fig('build_ms', 'lower', 200)]);

describe('compareResults', () => {
  it('passes figures within the limit, in either direction', () => {
    const c = compareResults(result([fig('queries_per_s', 'higher', 950), fig('build_ms', 'lower', 210)]), base, { maxRegression: 0.1 });
    expect(c.rows.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(c.failed).toBe(false);
    expect(c.rows[0].ratio).toBeCloseTo(0.95);
    expect(c.rows[1].worseBy).toBeCloseTo(0.05);
  });

  it('fails a throughput that dropped beyond the limit', () => {
    const c = compareResults(result([fig('queries_per_s', 'higher', 850), fig('build_ms', 'lower', 200)]), base, { maxRegression: 0.1 });
    expect(c.rows[0]).toMatchObject({ status: 'regressed', baseline: 1000, current: 850 });
    expect(c.regressed).toBe(1);
    expect(c.failed).toBe(true);
  });

  it('fails a build time that grew beyond the limit (lower is better)', () => {
    const c = compareResults(result([fig('queries_per_s', 'higher', 1000), fig('build_ms', 'lower', 240)]), base, { maxRegression: 0.1 });
    expect(c.rows[1].status).toBe('regressed');
    expect(c.failed).toBe(true);
  });

  it('reports improvements without failing', () => {
    const c = compareResults(result([fig('queries_per_s', 'higher', 2000), fig('build_ms', 'lower', 100)]), base, { maxRegression: 0.1 });
    expect(c.rows.map((r) => r.status)).toEqual(['improved', 'improved']);
    expect(c.improved).toBe(2);
    expect(c.failed).toBe(false);
  });

  it('matches figures by name and params, whatever the key order', () => {
    const b = result([fig('queries_per_s', 'higher', 1000, { n: 1000, bits: 256 })]);
    const c = compareResults(result([fig('queries_per_s', 'higher', 500, { bits: 256, n: 1000 })]), b, { maxRegression: 0.1 });
    expect(c.rows).toHaveLength(1);
    expect(c.rows[0].status).toBe('regressed');
  });

  it('reports figures missing on either side, failing only with requireAll', () => {
    const cur = result([fig('queries_per_s', 'higher', 1000, { n: 2000 }), fig('build_ms', 'lower', 200)]);
    const c = compareResults(cur, base, { maxRegression: 0.1 });
    expect(c.rows.map((r) => r.status).sort()).toEqual(['missing-in-baseline', 'missing-in-current', 'ok']);
    expect(c.missing).toBe(2);
    expect(c.failed).toBe(false);
    expect(compareResults(cur, base, { maxRegression: 0.1, requireAll: true }).failed).toBe(true);
  });

  it('treats a zero baseline as incomparable, not a pass or failure', () => {
    const c = compareResults(result([fig('queries_per_s', 'higher', 10)]), result([fig('queries_per_s', 'higher', 0)]), { maxRegression: 0 });
    expect(c.rows[0].status).toBe('incomparable');
    expect(c.failed).toBe(false);
  });

  it('notes environment and kind differences', () => {
    const other = result([], { kind: 'hash', environment: { ...env, cpuModel: 'Other CPU', cores: 8 } });
    const c = compareResults(result([]), other, { maxRegression: 0.1 });
    expect(c.environmentNotes.join('\n')).toMatch(/"hash" result/);
    expect(c.environmentNotes.join('\n')).toMatch(/cpuModel differs: baseline Other CPU, now Test CPU/);
    expect(c.environmentNotes.join('\n')).toMatch(/cores differs/);
  });
});

describe('parseBenchResult', () => {
  it('accepts a result and rejects other JSON with the reason', () => {
    expect(parseBenchResult(JSON.parse(JSON.stringify(base)), 'b.json').figures).toHaveLength(2);
    expect(() => parseBenchResult([], 'b.json')).toThrow('b.json is not a hashsieve bench JSON result: expected a JSON object');
    expect(() => parseBenchResult({ ...base, schema: 'x' }, 'b.json')).toThrow('expected schema');
    expect(() => parseBenchResult({ ...base, figures: [{ name: 'a', better: 'up', median: 1, params: {} }] }, 'b.json')).toThrow(
      'figures[0].better',
    );
    expect(() => parseBenchResult({ ...base, figures: [{ name: 'a', better: 'higher', median: 'x', params: {} }] }, 'b.json')).toThrow(
      'figures[0].median',
    );
  });
});
