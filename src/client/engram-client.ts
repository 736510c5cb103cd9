import type {
  AddResult,
  GetAllResult,
  HistoryItem,
  InputMessage,
  MemoryItem,
  SearchResult,
} from '../memory/api-types.js';
import type { Filter } from '../spec/filter.js';
import type { Metadata } from '../spec/memory-record.js';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface EngramClientOptions {
  /** e.g. "http://127.0.0.1:8765" */
  baseUrl: string;
  apiKey?: string;
  fetch?: Fetch;
}

export interface ClientScope {
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

export interface ClientAddOptions extends ClientScope {
  metadata?: Metadata;
  infer?: boolean;
  event_time?: string | number;
  memory_type?: 'semantic' | 'episodic' | 'procedural';
  importance?: number;
}

export interface ClientSearchOptions extends ClientScope {
  filters?: Filter;
  limit?: number;
  threshold?: number;
  as_of?: string | number;
  known_at?: string | number;
  explain?: boolean;
}

export interface QueuedAdd {
  job_id: string;
  status: 'pending';
  created: boolean;
}

export interface JobItem {
  id: string;
  state: 'pending' | 'running' | 'done' | 'dead';
  attempts: number;
  last_error: string | null;
  result: unknown;
  created_at: string;
  updated_at: string;
}

/**
 * An answer the client cannot use: a non-2xx status (the server's `{error: {code, message,
 * details}}`), or a body that is not engram's JSON (a proxy's HTML error page; code `http_<status>`
 * for an error status, `invalid_response` for a 2xx). `body` is the response text as received.
 */
export class EngramClientError extends Error {
  override readonly name = 'EngramClientError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | null;
  readonly body: string;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> | null,
    body = '',
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.body = body;
  }
}

interface ErrorShape {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** The JSON of a response, or undefined when it is not JSON (an HTML page, a cut-off body). */
function parseJson(text: string): { value: unknown } | undefined {
  if (text === '') return { value: null };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** "HTTP 502 Bad Gateway, text/html: <html>…" — enough of a foreign body to recognise it. */
function foreignBody(response: Response, text: string): string {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
  const flat = text.replace(/\s+/g, ' ').trim();
  const shown = flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}, ${type}${shown ? `: ${shown}` : ''}`;
}

/** Typed client for engram's native REST API (the shapes in /openapi.json). */
export class EngramClient {
  readonly #base: string;
  readonly #key: string | undefined;
  readonly #fetch: Fetch;

  constructor(options: EngramClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#key = options.apiKey;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async #call<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    const response = await this.#fetch(`${this.#base}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: {
        ...(this.#key ? { Authorization: `Bearer ${this.#key}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = (parsed?.value as ErrorShape | null | undefined)?.error;
      if (typeof error?.code === 'string' && typeof error.message === 'string') {
        const details =
          typeof error.details === 'object' ? (error.details as Record<string, unknown> | null) : null;
        throw new EngramClientError(response.status, error.code, error.message, details, text);
      }
      // Not engram's error body: a proxy, a load balancer or a server that is not engram answered.
      throw new EngramClientError(
        response.status,
        `http_${response.status}`,
        `The server at ${this.#base} answered ${method} ${path} with ${foreignBody(response, text)}`,
        null,
        text,
      );
    }
    if (!parsed) {
      throw new EngramClientError(
        response.status,
        'invalid_response',
        `The server at ${this.#base} answered ${method} ${path} with a body that is not JSON (${foreignBody(response, text)}).`,
        null,
        text,
      );
    }
    return parsed.value as T;
  }

  add(messages: string | InputMessage[], options: ClientAddOptions = {}): Promise<AddResult> {
    return this.#call('POST', '/memories', { messages, ...options });
  }

  addAsync(
    messages: string | InputMessage[],
    options: ClientAddOptions & { idempotency_key?: string } = {},
  ): Promise<QueuedAdd> {
    return this.#call('POST', '/memories', { messages, ...options, async: true });
  }

  getAll(options: ClientScope & { limit?: number; cursor?: string } = {}): Promise<GetAllResult> {
    return this.#call('GET', '/memories', undefined, { ...options });
  }

  get(id: string): Promise<MemoryItem> {
    return this.#call('GET', `/memories/${encodeURIComponent(id)}`);
  }

  search(query: string, options: ClientSearchOptions = {}): Promise<SearchResult> {
    return this.#call('POST', '/search', { query, ...options });
  }

  update(id: string, patch: { text?: string; metadata?: Metadata }): Promise<MemoryItem> {
    return this.#call('PUT', `/memories/${encodeURIComponent(id)}`, patch);
  }

  delete(id: string): Promise<{ message: string }> {
    return this.#call('DELETE', `/memories/${encodeURIComponent(id)}`);
  }

  deleteAll(scope: ClientScope): Promise<{ message: string; deleted: number }> {
    return this.#call('DELETE', '/memories', undefined, { ...scope });
  }

  history(id: string): Promise<HistoryItem[]> {
    return this.#call('GET', `/memories/${encodeURIComponent(id)}/history`);
  }

  job(id: string): Promise<JobItem> {
    return this.#call('GET', `/jobs/${encodeURIComponent(id)}`);
  }

  reset(): Promise<{ message: string }> {
    return this.#call('POST', '/reset');
  }
}
