import { parseRedisUrl } from '../../fleet/connection.js';
import { fleetStatus, type FleetStatus } from '../../fleet/status.js';
import type { CliContext } from '../context.js';

export async function runFleetStatus(opts: { queue: string; json?: boolean }, ctx: CliContext): Promise<void> {
  const status = await fleetStatus(parseRedisUrl(opts.queue, ctx.env.HASHSIEVE_REDIS_PASSWORD));
  ctx.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatStatus(s: FleetStatus): string {
  let out = `Redis ${s.redis}\n\n${s.workers.length} worker(s)\n`;
  if (s.workers.length > 0) {
    out += table([
      ['HOST', 'PID', 'THREADS', 'FILES', 'FILES/S', 'SCANS'],
      ...s.workers.map((w) => [w.host, String(w.pid), `${w.threads}${w.decode ? '' : ' (stat only)'}`, String(w.files), String(w.filesPerSecond), String(w.scans.length)]),
    ]);
  }
  out += `\n${s.scans.length} scan(s)\n`;
  if (s.scans.length > 0) {
    out += table([
      ['SCAN', 'COORDINATOR', 'FILES DONE', 'WAITING', 'ACTIVE', 'DONE', 'FAILED', 'STATE'],
      ...s.scans.map((c) => [
        c.id,
        `${c.coordinator.host ?? '?'}:${c.coordinator.pid ?? '?'}`,
        String(c.filesDone),
        String(c.batches.waiting),
        String(c.batches.active),
        String(c.batches.done),
        String(c.batches.failed),
        c.live ? 'running' : `no coordinator since ${c.lastSeen}`,
      ]),
    ]);
  }
  return out;
}
