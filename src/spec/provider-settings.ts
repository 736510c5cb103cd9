/**
 * How to reach one model. The config layer produces it; the provider registry turns it into an
 * Embedder or ChatModel. `provider` names a registry entry ("ollama", "openai", ...).
 */
export interface ProviderSettings {
  provider: string;
  model: string;
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  /** Embedders: expected vector size (checked against the provider). */
  dimensions?: number | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  /** Embedders: most inputs per request. */
  batchSize?: number | undefined;
  /** Chat models: sampling temperature (default 0 for structured output). */
  temperature?: number | undefined;
  /** Ollama: context window (num_ctx) and keep_alive. */
  numCtx?: number | undefined;
  keepAlive?: string | undefined;
  /** Extra HTTP headers (e.g. OpenRouter attribution, Azure api-key). */
  headers?: Record<string, string> | undefined;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
