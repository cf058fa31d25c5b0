// TEST-ONLY pool worker: the production worker (built, dist/src/scan/worker.js) that adds to each
// answer what its thread has seen of the pool's protocol, and injects faults from the environment:
//   HASHSIEVE_TEST_DELAY_MS=<ms>    wait this long before hashing each file
//   HASHSIEVE_TEST_CRASH_ON=<name>  the thread exits abruptly when given the file of this base name
// Each result gets `probe: { threadId, defines, needJobs }`: the messages that carried a job, and
// the files this thread answered "need the job" for, so far on this thread.
import { basename } from 'node:path';
import { threadId } from 'node:worker_threads';
import hashTask, { hashStarted, startTask } from '../../dist/src/scan/worker.js';

const DELAY_MS = Number(process.env.HASHSIEVE_TEST_DELAY_MS ?? 0);
const CRASH_ON = process.env.HASHSIEVE_TEST_CRASH_ON ?? null;
let defines = 0;
let needJobs = 0;

export default async function probeHashTask(task) {
  if (task.warmUp !== undefined) return hashTask(task);
  if (task.define !== undefined) defines++;
  const started = startTask(task);
  if (started === null) {
    needJobs++;
    return hashTask(task);
  }
  if (DELAY_MS > 0) await new Promise((r) => setTimeout(r, DELAY_MS));
  if (CRASH_ON !== null && typeof task.path === 'string' && basename(task.path) === CRASH_ON) process.exit(70);
  const result = await hashStarted(started);
  return { ...result, probe: { threadId, defines, needJobs } };
}
