import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HashingService } from './hashing.js';
import type { IndexState } from './index-state.js';

/** Prometheus metrics of one server (its own registry, so several servers can live in one process). */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;

  constructor(index: IndexState, hashing: HashingService) {
    this.requests = new Counter({
      name: 'hashsieve_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'hashsieve_http_request_duration_seconds',
      help: 'HTTP request latency, by method and route',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    new Gauge({
      name: 'hashsieve_index_size',
      help: 'Hashes in the serving index, by signal',
      labelNames: ['signal'],
      registers: [this.registry],
      collect() {
        this.reset();
        const totals = new Map<string, number>();
        for (const b of index.current?.banks ?? []) for (const [name, ix] of b.signals) totals.set(name, (totals.get(name) ?? 0) + ix.size);
        for (const [signal, n] of totals) this.set({ signal }, n);
      },
    });
    new Gauge({
      name: 'hashsieve_index_ready',
      help: '1 once the first index build is done',
      registers: [this.registry],
      collect() {
        this.set(index.current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hashsieve_hash_pool_queue_depth',
      help: 'Uploads hashing or waiting for a hash pool thread',
      registers: [this.registry],
      collect() {
        this.set(hashing.queueDepth);
      },
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }
}
