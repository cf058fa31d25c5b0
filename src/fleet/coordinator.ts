import { createPool, type Hasher } from '../scan/pool.js';
import { checkRedis, type RedisTarget } from './connection.js';
import { withLocalKnownGood } from './known-good.js';
import { scanIdFor } from './names.js';
import { createRemoteHasher, DEFAULT_JOBS_IN_FLIGHT, type RemoteHasherOptions } from './remote-hasher.js';
import { splitHasher } from './split-hasher.js';

export interface CoordinatorConfig {
  readonly target: RedisTarget;
  /** The scan's checkpoint file: a resumable scan keeps one queue across runs (null: a fresh queue). */
  readonly checkpoint: string | null;
  readonly resume: boolean;
  readonly batchSize: number;
  readonly jobsInFlight?: number;
  /** Threads hashing on the coordinator too (0: the fleet does all of it). */
  readonly localWorkers: number;
  readonly fileTimeoutMs: number;
  readonly onNotice: (message: string) => void;
  /** Tuning for tests and benchmarks (linger, notice delay, retention). */
  readonly tuning?: Partial<Pick<RemoteHasherOptions, 'lingerMs' | 'noWorkerNoticeMs' | 'keepCollectedMs' | 'jobAttempts'>>;
}

/**
 * The hasher a coordinator scans with: batches to the fleet through Redis, and with local workers
 * a share of the files hashed here. Checks that Redis answers (and accepts the login) first.
 */
export async function createCoordinatorHasher(c: CoordinatorConfig): Promise<Hasher> {
  await checkRedis(c.target);
  const fleet = createRemoteHasher({
    target: c.target,
    scanId: scanIdFor(c.checkpoint),
    resume: c.resume,
    resumable: c.checkpoint !== null,
    batchSize: c.batchSize,
    jobsInFlight: c.jobsInFlight ?? DEFAULT_JOBS_IN_FLIGHT,
    onNotice: c.onNotice,
    ...c.tuning,
  });
  // Workers never see the known-good lists: their answers for known-good files are made what a local worker's are.
  const remote = withLocalKnownGood(fleet);
  if (c.localWorkers === 0) return remote;
  const local = await createPool({ workers: c.localWorkers, fileTimeoutMs: c.fileTimeoutMs });
  return splitHasher(local, c.localWorkers, remote);
}
