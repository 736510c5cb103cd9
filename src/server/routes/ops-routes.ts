import { Hono } from 'hono';
import type { Memory } from '../../memory/memory.js';
import type { ProviderHealth } from '../../spec/embedder.js';
import type { Metrics, QueueGauges } from '../metrics.js';

export type HealthCheck = () => Promise<ProviderHealth>;

const CHECK_TIMEOUT_MS = 5000;

async function runCheck(check: HealthCheck): Promise<ProviderHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProviderHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      check().catch((e: unknown) => ({ ok: false, detail: String((e as Error).message ?? e) })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function queueGauges(memory: Memory, nowMs: number): Promise<QueueGauges | null> {
  try {
    const counts = await memory.queue.jobCounts(null);
    const oldest = counts.oldestPendingAt === null ? nowMs : Date.parse(counts.oldestPendingAt);
    return {
      pending: counts.pending,
      running: counts.running,
      dead: counts.dead,
      oldestPendingAgeS: Math.max(0, (nowMs - oldest) / 1000),
    };
  } catch {
    return null;
  }
}

/** /health (alive), /ready (each dependency, by name), /metrics (Prometheus text). Unauthenticated. */
export function opsRoutes(memory: Memory, metrics: Metrics, checks: Record<string, HealthCheck>): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.get('/ready', async (c) => {
    const all: Record<string, HealthCheck> = {
      database: () => memory.health(),
      ...checks,
    };
    const names = Object.keys(all);
    const results = await Promise.all(names.map((n) => runCheck(all[n]!)));
    const report = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
    const ready = results.every((r) => r.ok);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks: report }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return c.body(metrics.render(await queueGauges(memory, Date.now())));
  });
  return app;
}
