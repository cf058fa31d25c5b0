// TEST-ONLY pool worker: the production worker (built, dist/src/scan/worker.js) with faults
// injected from the environment of the test that started the scan:
//   HASHSIEVE_TEST_DELAY_MS=<ms>     wait this long before hashing each file (slow scans for kill/resume)
//   HASHSIEVE_TEST_CRASH_ON=<name>   the thread exits abruptly when given the file of this base name
//   HASHSIEVE_TEST_HANG_ON=<name>    hashing the file of this base name never finishes (file timeout)
//   HASHSIEVE_TEST_BLOCK_ON=<name>   the thread spins on the file of this base name, stalling every file it holds
import { basename } from 'node:path';
import hashTask, { hashStarted, startTask } from '../../dist/src/scan/worker.js';

const DELAY_MS = Number(process.env.HASHSIEVE_TEST_DELAY_MS ?? 0);
const CRASH_ON = process.env.HASHSIEVE_TEST_CRASH_ON ?? null;
const HANG_ON = process.env.HASHSIEVE_TEST_HANG_ON ?? null;
const BLOCK_ON = process.env.HASHSIEVE_TEST_BLOCK_ON ?? null;
const CRASH_EXIT_CODE = 70;

export default async function faultyHashTask(task) {
  if (task.warmUp !== undefined) return hashTask(task);
  // Start the file's clock as the production worker does, so a hang is timed out; a file whose
  // job this thread lacks goes back to the pool untouched (the production answer).
  const started = startTask(task);
  if (started === null) return hashTask(task);
  if (DELAY_MS > 0) await new Promise((r) => setTimeout(r, DELAY_MS));
  // A name that is not UTF-8 arrives as bytes (a Uint8Array); the faults name UTF-8 files only.
  const name = typeof task.path === 'string' ? basename(task.path) : null;
  if (CRASH_ON !== null && name === CRASH_ON) process.exit(CRASH_EXIT_CODE);
  if (BLOCK_ON !== null && name === BLOCK_ON) for (;;);
  if (HANG_ON !== null && name === HANG_ON) await new Promise(() => setInterval(() => undefined, 60_000));
  return hashStarted(started);
}
