import type {
  EmbedCallEvent,
  LlmCallEvent,
  ModelObserver,
  ObserveWindowEvent,
} from '../memory/observed-models.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Model calls run from milliseconds (a local embedder) to a minute (a slow LLM). */
const MODEL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Messages per observation window: a handful when the timer fires, thousands when a window catches up. */
const WINDOW_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000];

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
 * It observes the engine's model calls and observation windows too: `memory.observeModels(metrics)`.
 * Observation figures are counted in process (logged messages by the routes, windows by the
 * worker's engine), not per channel: a channel id is not a label (unbounded cardinality).
 */
export class Metrics implements ModelObserver {
  readonly #requests = new Map<string, Histogram>();
  readonly #errors = new Map<string, number>();
  readonly #llmCalls = new Map<string, Histogram>();
  readonly #llmTokens = new Map<string, number>();
  readonly #embedCalls = new Map<string, Histogram>();
  readonly #embedTexts = new Map<string, number>();
  readonly #embedTokens = new Map<string, number>();
  readonly #observed = new Map<string, number>(
    ['logged', 'skipped', 'duplicate'].map((outcome) => [labels({ outcome }), 0]),
  );
  readonly #windows = new Map<string, Histogram>();
  readonly #windowFacts = new Map<string, number>();
  #lagSeconds: number | null = null;

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

  /**
   * Messages an observe call received, by outcome: `logged` (waiting for a window), `skipped`
   * (logged, screened out of extraction), `duplicate` (logged before). They add up to the messages sent.
   */
  countObserved(result: {
    logged: number;
    duplicates: number;
    skipped: Partial<Record<string, number>>;
  }): void {
    const skipped = Object.values(result.skipped).reduce((sum: number, n) => sum + (n ?? 0), 0);
    add(this.#observed, labels({ outcome: 'logged' }), result.logged - skipped);
    add(this.#observed, labels({ outcome: 'skipped' }), skipped);
    add(this.#observed, labels({ outcome: 'duplicate' }), result.duplicates);
  }

  onWindow(event: ObserveWindowEvent): void {
    observe(this.#windows, WINDOW_BUCKETS, '', event.messages);
    add(this.#windowFacts, '', event.facts);
    this.#lagSeconds = event.lagMs / 1000;
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
    this.#renderObservation(out);
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

  #renderObservation(out: string[]): void {
    counter(
      out,
      'engram_observe_messages_total',
      'Observed channel messages by outcome: logged (waiting for a window), skipped (logged, not sent to extraction), duplicate (logged before).',
      this.#observed,
    );
    const windows = this.#windows.get('');
    out.push(
      '# HELP engram_observe_windows_total Observation windows run (one LLM call each when any message was kept).',
      '# TYPE engram_observe_windows_total counter',
      `engram_observe_windows_total ${windows?.count ?? 0}`,
    );
    histogram(
      out,
      'engram_observe_window_messages',
      'Messages per observation window.',
      WINDOW_BUCKETS,
      this.#windows,
    );
    out.push(
      '# HELP engram_observe_facts_total Facts observation windows added to memory.',
      '# TYPE engram_observe_facts_total counter',
      `engram_observe_facts_total ${this.#windowFacts.get('') ?? 0}`,
    );
    if (this.#lagSeconds !== null) {
      out.push(
        "# HELP engram_observe_lag_seconds How long the last window's oldest message had waited.",
        '# TYPE engram_observe_lag_seconds gauge',
        `engram_observe_lag_seconds ${this.#lagSeconds}`,
      );
    }
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
    // A series without labels ('') prints `name_sum 3`, not `name_sum{} 3`.
    const le = (bound: string) => `{${key === '' ? '' : `${key},`}le="${bound}"}`;
    const own = key === '' ? '' : `{${key}}`;
    buckets.forEach((bound, i) => {
      out.push(`${name}_bucket${le(String(bound))} ${h.counts[i] ?? 0}`);
    });
    out.push(`${name}_bucket${le('+Inf')} ${h.count}`);
    out.push(`${name}_sum${own} ${h.sum}`);
    out.push(`${name}_count${own} ${h.count}`);
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
