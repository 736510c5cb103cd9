import type { ErrorCode } from '../spec/memory-error.js';
import type { FetchLike } from '../spec/provider-settings.js';

/** What an HTTP failure looked like, for a provider that can explain it better than a status code. */
export interface HttpFailure {
  status: number;
  method: string;
  url: string;
  /** Raw response body (truncated). */
  body: string;
  /** The `error` / `error.message` field of a JSON error body, when there is one. */
  upstreamMessage: string | undefined;
}

/** One upstream service as the HTTP helpers see it: how to call it and how to word its failures. */
export interface HttpTarget {
  /** Shown in messages: "Ollama", "OpenAI", "Groq". */
  service: string;
  /** The base URL the user configured, shown in messages so they can spot a typo. */
  baseUrl: string;
  /** How to fix an unreachable service, e.g. "Start it with `ollama serve` or set OLLAMA_BASE_URL." */
  unreachableHint: string;
  codes: { unreachable: ErrorCode; error: ErrorCode };
  fetch?: FetchLike | undefined;
  headers?: Record<string, string> | undefined;
  /** Per request; for streams, the longest silence between chunks. */
  timeoutMs: number;
  /** A clearer message for a known failure (model not pulled, bad key); undefined keeps the generic one. */
  describeHttpError?: ((failure: HttpFailure) => string | undefined) | undefined;
}

export interface HttpRequestOptions {
  signal?: AbortSignal | undefined;
}
