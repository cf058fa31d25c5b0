import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The README is a newcomer's page: short, linking to docs/, which holds the only copy of the rest. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const docs = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'));
const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('README.md', () => {
  it('is at most 300 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
  });

  it('has the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('apt-get update && apt-get install -y redis-server ffmpeg libxml2-utils && npm ci && npm test');
  });

  it('repeats no paragraph of docs/', () => {
    const paragraphs = readme
      .split(/\n\s*\n/)
      .map(flat)
      .filter((p) => p.length >= 80 && !p.startsWith('```') && !p.startsWith('|'));
    const docsText = docs.map(flat).join('\n');
    expect(paragraphs.filter((p) => docsText.includes(p))).toEqual([]);
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((l) => !existsSync(join(ROOT, l)))).toEqual([]);
  });
});

describe('docs/', () => {
  it('pages link only to files that exist', () => {
    const broken = readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .flatMap((f) =>
        [...readFileSync(join(ROOT, 'docs', f), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
          .map((m) => m[1])
          .filter((l) => !/^[a-z]+:/.test(l) && !existsSync(join(ROOT, 'docs', l)))
          .map((l) => `${f}: ${l}`),
      );
    expect(broken).toEqual([]);
  });
});
