import { basename } from 'node:path';

/**
 * TEST-ONLY fault injection for the end-to-end tests of the scanner, read from the environment
 * once per worker. Never set these in production; they make the worker misbehave on purpose.
 *
 * - HASHSIEVE_TEST_DELAY_MS=<ms>: wait this long before hashing each file (slow scans for kill/resume tests).
 * - HASHSIEVE_TEST_CRASH_ON=<basename>: the worker thread exits abruptly when given this file.
 * - HASHSIEVE_TEST_HANG_ON=<basename>: hashing this file never finishes (for --file-timeout).
 * - HASHSIEVE_TEST_BLOCK_ON=<basename>: the thread spins on this file, stalling every file it holds.
 */
const DELAY_MS = Number(process.env.HASHSIEVE_TEST_DELAY_MS ?? 0);
const CRASH_ON = process.env.HASHSIEVE_TEST_CRASH_ON ?? null;
const HANG_ON = process.env.HASHSIEVE_TEST_HANG_ON ?? null;
const BLOCK_ON = process.env.HASHSIEVE_TEST_BLOCK_ON ?? null;

const WORKER_CRASH_EXIT_CODE = 70;
const HANG_KEEPALIVE_MS = 60_000;

export async function applyTestHooks(path: string): Promise<void> {
  if (DELAY_MS > 0) await new Promise((r) => setTimeout(r, DELAY_MS));
  const name = basename(path);
  if (CRASH_ON !== null && name === CRASH_ON) process.exit(WORKER_CRASH_EXIT_CODE);
  if (BLOCK_ON !== null && name === BLOCK_ON) for (;;);
  if (HANG_ON !== null && name === HANG_ON) {
    await new Promise<never>(() => {
      setInterval(() => undefined, HANG_KEEPALIVE_MS);
    });
  }
}
