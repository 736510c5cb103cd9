import type { ChatModel, ChatUsage } from '../spec/chat-model.js';
import type { Embedder } from '../spec/embedder.js';
import { MemoryError } from '../spec/memory-error.js';

/** One finished LLM call: which model, how long, what it spent (null when streamed: no counts). */
export interface LlmCallEvent {
  model: string;
  ms: number;
  usage: ChatUsage | null;
  /** The error code when the call failed, else null. */
  error: string | null;
}

/** One finished embedding call (one `embed()`, which the adapter may split into provider batches). */
export interface EmbedCallEvent {
  model: string;
  ms: number;
  texts: number;
  /** Provider-reported input tokens, when the wire format carries them. */
  inputTokens: number | null;
  error: string | null;
}

/** One finished observation window of a channel (src/memory/observe/run-window.ts). */
export interface ObserveWindowEvent {
  tenant: string;
  channel: string;
  /** Messages the window took from the log, and of those the ones sent to extraction. */
  messages: number;
  extracted: number;
  /** Facts the window added to memory. */
  facts: number;
  /** How long the window's oldest message had waited, in ms. */
  lagMs: number;
}

/** Watches the engine's model calls and observation windows (the server feeds these into /metrics). */
export interface ModelObserver {
  onLlmCall?(event: LlmCallEvent): void;
  onEmbed?(event: EmbedCallEvent): void;
  onWindow?(event: ObserveWindowEvent): void;
}

/** The observers of one engine; an observer that throws never breaks the call it watched. */
export class ObserverSet {
  readonly #observers = new Set<ModelObserver>();

  add(observer: ModelObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  llmCall(event: LlmCallEvent): void {
    for (const o of this.#observers) guard(() => o.onLlmCall?.(event));
  }

  embed(event: EmbedCallEvent): void {
    for (const o of this.#observers) guard(() => o.onEmbed?.(event));
  }

  window(event: ObserveWindowEvent): void {
    for (const o of this.#observers) guard(() => o.onWindow?.(event));
  }
}

function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    // Observation is best effort: a broken metrics sink must not fail a memory operation.
  }
}

function errorCode(error: unknown): string {
  return error instanceof MemoryError ? error.code : 'error';
}

/** The same chat model, reporting every call's latency and tokens to `observers`. */
export function observeChat(model: ChatModel, observers: ObserverSet): ChatModel {
  const observed: ChatModel = {
    id: model.id,
    async complete(request) {
      const started = performance.now();
      try {
        const response = await model.complete(request);
        observers.llmCall({
          model: model.id,
          ms: performance.now() - started,
          usage: response.usage,
          error: null,
        });
        return response;
      } catch (error) {
        observers.llmCall({
          model: model.id,
          ms: performance.now() - started,
          usage: null,
          error: errorCode(error),
        });
        throw error;
      }
    },
  };
  const stream = model.stream?.bind(model);
  if (stream) {
    observed.stream = async function* (request) {
      const started = performance.now();
      let error: string | null = null;
      try {
        yield* stream(request);
      } catch (failure) {
        error = errorCode(failure);
        throw failure;
      } finally {
        observers.llmCall({ model: model.id, ms: performance.now() - started, usage: null, error });
      }
    };
  }
  if (model.health) observed.health = model.health.bind(model);
  return observed;
}

/** The same embedder, reporting every call's latency, size and tokens to `observers`. */
export function observeEmbedder(embedder: Embedder, observers: ObserverSet): Embedder {
  const observed: Embedder = {
    get id() {
      return embedder.id;
    },
    get maxEmbeddingsPerCall() {
      return embedder.maxEmbeddingsPerCall;
    },
    // Learned from the first response by some adapters, so read it through.
    get dimensions() {
      return embedder.dimensions;
    },
    async embed(texts, options) {
      const started = performance.now();
      const base = { model: embedder.id, texts: texts.length };
      try {
        const result = await embedder.embed(texts, options);
        observers.embed({
          ...base,
          ms: performance.now() - started,
          inputTokens: result.inputTokens ?? null,
          error: null,
        });
        return result;
      } catch (error) {
        observers.embed({
          ...base,
          ms: performance.now() - started,
          inputTokens: null,
          error: errorCode(error),
        });
        throw error;
      }
    },
  };
  if (embedder.health) observed.health = embedder.health.bind(embedder);
  return observed;
}
