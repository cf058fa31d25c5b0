import type { Migration } from './schema.js';

/**
 * The HTTP service's tables (one migration step): API tokens stored as sha256 digests only,
 * per-list bank settings, and content added through the curation API (a content groups the
 * entries of one upload or signal set; its id is its first entry's id).
 */
export const SERVICE_MIGRATION: Migration = {
  sql: `
  CREATE TABLE IF NOT EXISTS service_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;
  CREATE TABLE IF NOT EXISTS bank_settings (
    list_id INTEGER PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    enabled_ratio REAL NOT NULL DEFAULT 1.0
  ) STRICT;
  CREATE TABLE IF NOT EXISTS bank_content (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    disable_until_ts INTEGER NOT NULL DEFAULT 1,
    note TEXT,
    metadata TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS bank_content_list ON bank_content (list_id);
  CREATE TABLE IF NOT EXISTS bank_content_entries (
    entry_id INTEGER PRIMARY KEY,
    content_id INTEGER NOT NULL REFERENCES bank_content(id) ON DELETE CASCADE
  ) STRICT;
  `,
};
