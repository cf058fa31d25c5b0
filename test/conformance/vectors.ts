/**
 * Where the conformance vectors are: the small core every clone carries (this folder), and the
 * large PDQ photos that only the project's shared folder beside the repository holds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Vendored PDQ vectors: golden/*.json, decoded/*, expected-*.csv, lists/. */
export const PDQ_VECTORS = join(HERE, 'pdq');
/** Vendored blockhash vectors: the 17 reference images and their 34 expected hashes. */
export const BLOCKHASH_VECTORS = join(HERE, 'blockhash');

/**
 * The full conformance set: $HASHSIEVE_CONFORMANCE, else `shared/conformance` beside the
 * repository (the project's own checkouts; absent in a user's clone).
 */
export const SHARED_CONFORMANCE = process.env.HASHSIEVE_CONFORMANCE || join(HERE, '..', '..', '..', 'shared', 'conformance');
const PHOTOS = join(SHARED_CONFORMANCE, 'pdq', 'images');
const ORIGIN =
  'they are the test photos of facebook/ThreatExchange, folder pdq/data/ (BSD); see test/conformance/README.md';

/**
 * The large PDQ photos (`images/`), or null after one line on stderr saying where they come
 * from. With CI=true their absence is an error, so a CI run never passes without them.
 */
export function pdqPhotos(env: NodeJS.ProcessEnv = process.env, photos = PHOTOS): string | null {
  if (existsSync(photos)) return photos;
  const line = `large PDQ conformance photos not found at ${photos}: ${ORIGIN}`;
  if (env.CI === 'true') throw new Error(`${line} (CI=true: they are required)`);
  process.stderr.write(`skipped: ${line}\n`);
  return null;
}
