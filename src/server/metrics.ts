const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface QueueGauges {
  pending: number;
  running: number;
  dead: number;
  oldestPendingAgeS: number;
}

/** Prometheus text-format metrics, kept in process; no client library needed for a few series. */
export class Metrics {
  readonly #requests = new Map<string, Histogram>();
  readonly #errors = new Map<string, number>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = labels({ method, route, status: String(status) });
    const h = this.#requests.get(key) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.counts[i] = (h.counts[i] ?? 0) + 1;
    });
    h.sum += seconds;
    h.count += 1;
    this.#requests.set(key, h);
  }

  countError(code: string): void {
    const key = labels({ code });
    this.#errors.set(key, (this.#errors.get(key) ?? 0) + 1);
  }

  render(queue: QueueGauges | null): string {
    const out: string[] = [
      '# HELP engram_http_request_duration_seconds HTTP request latency by route.',
      '# TYPE engram_http_request_duration_seconds histogram',
    ];
    for (const [key, h] of this.#requests) {
      BUCKETS.forEach((le, i) => {
        out.push(`engram_http_request_duration_seconds_bucket{${key},le="${le}"} ${h.counts[i] ?? 0}`);
      });
      out.push(`engram_http_request_duration_seconds_bucket{${key},le="+Inf"} ${h.count}`);
      out.push(`engram_http_request_duration_seconds_sum{${key}} ${h.sum}`);
      out.push(`engram_http_request_duration_seconds_count{${key}} ${h.count}`);
    }
    out.push(
      '# HELP engram_errors_total Error responses by error code.',
      '# TYPE engram_errors_total counter',
    );
    for (const [key, n] of this.#errors) out.push(`engram_errors_total{${key}} ${n}`);
    if (queue) {
      out.push(
        '# HELP engram_queue_depth Ingest jobs waiting or running.',
        '# TYPE engram_queue_depth gauge',
        `engram_queue_depth ${queue.pending + queue.running}`,
        '# HELP engram_queue_dead Ingest jobs in the dead-letter state.',
        '# TYPE engram_queue_dead gauge',
        `engram_queue_dead ${queue.dead}`,
        '# HELP engram_queue_oldest_pending_age_seconds Age of the oldest pending ingest job.',
        '# TYPE engram_queue_oldest_pending_age_seconds gauge',
        `engram_queue_oldest_pending_age_seconds ${queue.oldestPendingAgeS}`,
      );
    }
    return `${out.join('\n')}\n`;
  }
}

function labels(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}
