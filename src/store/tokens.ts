import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { UsageError } from '../errors.js';

/** What a token may do: `lookup` (hash, match, compare, status, metrics) and `curate` (bank changes). */
export const TOKEN_SCOPES = ['lookup', 'curate'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** A token as listed: never the secret, never its digest. */
export interface TokenInfo {
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

const TOKEN_PREFIX = 'hsv_';
const TOKEN_BYTES = 32;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The stored form of a token: its sha256 (a random 256-bit secret needs no slow hash). */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function parseScopes(spec: string | readonly string[]): TokenScope[] {
  const names = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`Expected at least one scope (${TOKEN_SCOPES.join(', ')})`);
  for (const n of names) {
    if (!(TOKEN_SCOPES as readonly string[]).includes(n)) {
      throw new UsageError(`Unknown scope ${JSON.stringify(n)}; expected one of: ${TOKEN_SCOPES.join(', ')}`);
    }
  }
  return TOKEN_SCOPES.filter((s) => names.includes(s));
}

interface TokenRow {
  name: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}

const toInfo = (r: TokenRow): TokenInfo => ({
  name: r.name,
  scopes: r.scopes.split(',') as TokenScope[],
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** API tokens in the list store, kept as digests: the secret is shown once, at creation. */
export class TokenStore {
  private readonly byDigest: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.byDigest = db.prepare('SELECT name, scopes, created_at, revoked_at FROM service_tokens WHERE token_sha256 = ?');
  }

  /** Create a token; returns its secret (to hand to the client, never stored). */
  create(name: string, scopes: readonly TokenScope[]): { token: string; info: TokenInfo } {
    if (!NAME_PATTERN.test(name)) {
      throw new UsageError(`Expected a token name of letters, digits, '.', '_' or '-' (at most 64) but received ${JSON.stringify(name)}`);
    }
    const checked = parseScopes(scopes);
    const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
    const createdAt = new Date().toISOString();
    try {
      this.db
        .prepare('INSERT INTO service_tokens (name, scopes, token_sha256, created_at) VALUES (?, ?, ?, ?)')
        .run(name, checked.join(','), tokenDigest(token), createdAt);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new UsageError(`A token named ${JSON.stringify(name)} exists already`);
      throw e;
    }
    return { token, info: { name, scopes: checked, createdAt, revokedAt: null } };
  }

  list(): TokenInfo[] {
    return (this.db.prepare('SELECT name, scopes, created_at, revoked_at FROM service_tokens ORDER BY name').all() as TokenRow[]).map(toInfo);
  }

  /** Revoke by name; false when there is no live token of that name. */
  revoke(name: string): boolean {
    const r = this.db
      .prepare('UPDATE service_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
      .run(new Date().toISOString(), name);
    return r.changes > 0;
  }

  /** The live token whose secret this is, or null (unknown or revoked). */
  verify(token: string): TokenInfo | null {
    const row = this.byDigest.get(tokenDigest(token)) as TokenRow | undefined;
    if (!row || row.revoked_at !== null) return null;
    return toInfo(row);
  }
}
