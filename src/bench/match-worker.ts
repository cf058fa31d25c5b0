import { parentPort, workerData } from 'node:worker_threads';
import { buildHammingIndex } from '../search/index.js';
import type { IndexMatch } from '../search/types.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './threads.js';

/**
 * One query thread of `bench match --workers N`. The list and the queries arrive as views of
 * SharedArrayBuffers (no copy); the thread builds its own index over the shared list, then
 * answers its slice of the queries each time it is told to run.
 */
const init = workerData as WorkerInit;
const index = buildHammingIndex(init.list);
const size = init.list.bits / 8;
const view = (q: number): Uint8Array => init.queries.subarray(q * size, (q + 1) * size);
const port = parentPort!;

const reply = (m: WorkerReply): void => port.postMessage(m);

port.on('message', (req: WorkerRequest) => {
  if (req.type === 'run') {
    let matches = 0;
    for (let q = init.start; q < init.end; q++) matches += index.query(view(q), init.radius).length;
    reply({ type: 'done', matches });
  } else {
    const answers: [number, IndexMatch[]][] = req.indices
      .filter((q) => q >= init.start && q < init.end)
      .map((q) => [q, index.query(view(q), init.radius)]);
    reply({ type: 'answers', answers });
  }
});
reply({ type: 'ready' });
