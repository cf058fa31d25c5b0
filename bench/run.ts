/**
 * `npm run bench [-- SUITE [args...]]`: runs every micro-benchmark suite in bench/ (hash, match, import) in
 * turn with its defaults, or only the one named, with its arguments. A suite is bench/<name>.ts exporting `run(argv)`; suites that are
 * not there yet are skipped, so this dispatcher never needs editing when one is added to SUITES.
 */
import { pathToFileURL } from 'node:url';

export const SUITES = ['hash', 'match', 'import'] as const;

interface Suite {
  run(argv: string[]): Promise<void>;
}

function isMissingModule(e: unknown, name: string): boolean {
  const err = e as NodeJS.ErrnoException;
  return err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(`${name}.js`);
}

async function load(name: string): Promise<Suite | null> {
  try {
    const mod = (await import(new URL(`./${name}.js`, import.meta.url).href)) as Partial<Suite>;
    if (typeof mod.run !== 'function') throw new Error(`bench/${name} does not export run(argv)`);
    return mod as Suite;
  } catch (e) {
    if (isMissingModule(e, name)) return null;
    throw e;
  }
}

export async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first !== undefined) {
    if (!(SUITES as readonly string[]).includes(first)) {
      throw new Error(`Unknown bench suite ${JSON.stringify(first)}; expected one of: ${SUITES.join(', ')}`);
    }
    const suite = await load(first);
    if (!suite) throw new Error(`bench/${first} is not built yet (run npm run build)`);
    await suite.run(rest);
    return;
  }
  for (const name of SUITES) {
    const suite = await load(name);
    if (!suite) {
      console.log(`\n== ${name}: not present, skipped`);
      continue;
    }
    console.log(`\n== ${name}`);
    await suite.run([]);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  });
}
