// Test-only fleet worker: the built library's worker loop with short BullMQ locks, so a killed
// worker's batch is taken over within a second or two, hashing on pool threads that run
// support/faulty-worker.mjs (HASHSIEVE_TEST_DELAY_MS slows each file). Prints "ready" when it
// takes batches and "files N" (files it answered) when stopped by SIGTERM.
import { parseRedisUrl } from '../../dist/src/fleet/connection.js';
import { startFleetWorker } from '../../dist/src/fleet/worker-loop.js';

const worker = await startFleetWorker({
  target: parseRedisUrl(process.argv[2], process.env.HASHSIEVE_REDIS_PASSWORD),
  threads: 1,
  fileTimeoutMs: 0,
  pathMap: [],
  decode: true,
  poolWorker: new URL('./faulty-worker.mjs', import.meta.url),
  lockDurationMs: 1000,
  stalledIntervalMs: 300,
  discoverMs: 200,
  onNotice: (m) => process.stderr.write(`hashsieve: ${m}\n`),
});
process.stdout.write(`ready ${worker.id}\n`);
process.on('SIGTERM', () =>
  void worker.stop(false).then(() => {
    process.stdout.write(`files ${worker.files()}\n`);
    process.exit(0);
  }),
);
