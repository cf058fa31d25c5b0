import { TASKS_IN_FLIGHT_PER_WORKER, type Hasher } from '../scan/pool.js';
import type { RemoteHasher } from './remote-hasher.js';

/**
 * The coordinator hashing too: a file goes to the local pool while it has a free slot, else to
 * the fleet; a file an earlier run already sent to the fleet (resume) stays with the fleet.
 */
export function splitHasher(local: Hasher, localWorkers: number, remote: RemoteHasher): Hasher {
  const slots = localWorkers * TASKS_IN_FLIGHT_PER_WORKER;
  let localInFlight = 0;
  return {
    concurrency: slots + remote.concurrency,
    async hash(task) {
      if (localInFlight >= slots || remote.holds(task.path)) return remote.hash(task);
      localInFlight += 1;
      try {
        return await local.hash(task);
      } finally {
        localInFlight -= 1;
      }
    },
    stop() {
      local.stop();
      remote.stop();
    },
    async close() {
      await Promise.all([local.close(), remote.close()]);
    },
  };
}
