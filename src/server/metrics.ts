import type { EmbedCallEvent, LlmCallEvent, ModelObserver } from '../memory/observed-models.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Model calls run from milliseconds (a local embedder) to a minute (a slow LLM). */
const MODEL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

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

/**
 * Prometheus text-format metrics, kept in process; no client library needed for a few series.
 * It observes the engine's model calls too: `memory.observeModels(metrics)`.
 */
export class Metrics implements ModelObserver {
  readonly #requests = new Map<string, Histogram>();
  readonly #errors = new Map<string, number>();
  readonly #llmCalls = new Map<string, Histogram>();
  readonly #llmTokens = new Map<string, number>();
  readonly #embedCalls = new Map<string, Histogram>();
  readonly #embedTexts = new Map<string, number>();
  readonly #embedTokens = new Map<string, number>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    observe(this.#requests, BUCKETS, labels({ method, route, status: String(status) }), seconds);
  }

  onLlmCall(event: LlmCallEvent): void {
    const outcome = event.error ?? 'ok';
    observe(this.#llmCalls, MODEL_BUCKETS, labels({ model: event.model, outcome }), event.ms / 1000);
    if (event.usage) {
      add(this.#llmTokens, labels({ model: event.model, type: 'input' }), event.usage.inputTokens);
      add(this.#llmTokens, labels({ model: event.model, type: 'output' }), event.usage.outputTokens);
    }
  }

  onEmbed(event: EmbedCallEvent): void {
    const outcome = event.error ?? 'ok';
    observe(this.#embedCalls, MODEL_BUCKETS, labels({ model: event.model, outcome }), event.ms / 1000);
    if (event.error === null) add(this.#embedTexts, labels({ model: event.model }), event.texts);
    if (event.inputTokens !== null) add(this.#embedTokens, labels({ model: event.model }), event.inputTokens);
  }

  countError(code: string): void {
    const key = labels({ code });
    this.#errors.set(key, (this.#errors.get(key) ?? 0) + 1);
  }

  render(queue: QueueGauges | null): string {
    const out: string[] = [];
    histogram(
      out,
      'engram_http_request_duration_seconds',
      'HTTP request latency by route.',
      BUCKETS,
      this.#requests,
    );
    counter(out, 'engram_errors_total', 'Error responses by error code.', this.#errors);
    histogram(
      out,
      'engram_llm_call_duration_seconds',
      'LLM call latency by model and outcome (ok or error code).',
      MODEL_BUCKETS,
      this.#llmCalls,
    );
    counter(out, 'engram_llm_tokens_total', 'LLM tokens by model and type (input, output).', this.#llmTokens);
    histogram(
      out,
      'engram_embedding_call_duration_seconds',
      'Embedding call latency by model and outcome (ok or error code).',
      MODEL_BUCKETS,
      this.#embedCalls,
    );
    counter(out, 'engram_embedding_texts_total', 'Texts embedded, by model.', this.#embedTexts);
    counter(
      out,
      'engram_embedding_tokens_total',
      'Embedding input tokens by model (where the provider reports them).',
      this.#embedTokens,
    );
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

function observe(series: Map<string, Histogram>, buckets: number[], key: string, value: number): void {
  const h = series.get(key) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
  buckets.forEach((le, i) => {
    if (value <= le) h.counts[i] = (h.counts[i] ?? 0) + 1;
  });
  h.sum += value;
  h.count += 1;
  series.set(key, h);
}

function add(series: Map<string, number>, key: string, n: number): void {
  series.set(key, (series.get(key) ?? 0) + n);
}

function histogram(
  out: string[],
  name: string,
  help: string,
  buckets: number[],
  series: Map<string, Histogram>,
): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const [key, h] of series) {
    buckets.forEach((le, i) => {
      out.push(`${name}_bucket{${key},le="${le}"} ${h.counts[i] ?? 0}`);
    });
    out.push(`${name}_bucket{${key},le="+Inf"} ${h.count}`);
    out.push(`${name}_sum{${key}} ${h.sum}`);
    out.push(`${name}_count{${key}} ${h.count}`);
  }
}

function counter(out: string[], name: string, help: string, series: Map<string, number>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const [key, n] of series) out.push(`${name}{${key}} ${n}`);
}

function labels(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}
