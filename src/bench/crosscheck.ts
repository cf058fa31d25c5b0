import type { HammingIndex, IndexMatch } from '../search/types.js';
import type { CrossCheck } from './schema.js';

const MAX_EXAMPLES = 5;

/**
 * Why `got` is not the answer `expected` is, or null when it is: the same entries at the same
 * distances (duplicates counted), sorted by distance. Tie order is not compared.
 */
export function answerDifference(expected: readonly IndexMatch[], got: readonly IndexMatch[]): string | null {
  if (got.length !== expected.length) return `returned ${got.length} entries, LinearIndex ${expected.length}`;
  for (let i = 1; i < got.length; i++) {
    if (got[i].distance < got[i - 1].distance) return 'not sorted by distance';
  }
  const counts = new Map<string, number>();
  for (const m of expected) counts.set(`${m.id}:${m.distance}`, (counts.get(`${m.id}:${m.distance}`) ?? 0) + 1);
  for (const m of got) {
    const k = `${m.id}:${m.distance}`;
    const c = counts.get(k) ?? 0;
    if (c === 0) return 'returned an entry or distance LinearIndex did not';
    counts.set(k, c - 1);
  }
  return null;
}

/** Compare the answers a benchmarked index gave for sampled queries with the reference's. */
export function crossCheck(
  answers: ReadonlyMap<number, readonly IndexMatch[]>,
  reference: HammingIndex,
  queries: readonly Uint8Array[],
  radius: number,
): CrossCheck {
  const examples: { query: number; expected: number; got: number; reason: string }[] = [];
  let mismatches = 0;
  for (const [q, got] of answers) {
    const expected = reference.query(queries[q], radius);
    const reason = answerDifference(expected, got);
    if (reason === null) continue;
    mismatches++;
    if (examples.length < MAX_EXAMPLES) examples.push({ query: q, expected: expected.length, got: got.length, reason });
  }
  return { queries: answers.size, mismatches, ok: mismatches === 0 && answers.size > 0, examples };
}
