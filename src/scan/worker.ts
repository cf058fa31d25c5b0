import { hashFile } from '../hash.js';
import type { FileHashResult } from '../results.js';
import type { HashTask } from './task.js';
import { applyTestHooks } from './test-hooks.js';

/** Piscina task: read, decode once and hash one file. Returns hashes only, never pixels. */
export default async function hashTask(task: HashTask): Promise<FileHashResult> {
  await applyTestHooks(task.path);
  return hashFile(task.path, {
    signals: task.signals,
    hashOptions: task.options,
    limits: task.limits,
  });
}
