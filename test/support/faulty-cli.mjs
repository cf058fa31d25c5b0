// TEST-ONLY entry: the built CLI, with `scan` hashing on pool threads that run faulty-worker.mjs.
import { main } from '../../dist/src/cli/main.js';
import { createPool } from '../../dist/src/scan/pool.js';

const worker = new URL('./faulty-worker.mjs', import.meta.url);
main(process.argv, { createHasher: (opts) => createPool({ ...opts, worker }) }).then((code) => {
  process.exitCode = code;
});
