import type { ProviderHealth } from './embedder.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
  /** true when the provider reported the counts; false when engram estimated them. */
  reported: boolean;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** JSON schema the reply must follow (structured output). Absent for free text. */
  schema?: { name: string; schema: Record<string, unknown> };
  temperature?: number;
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

export interface ChatResponse {
  text: string;
  usage: ChatUsage;
  model: string;
}

/** A chat model. Adapters implement it; the engine never sees a wire format. */
export interface ChatModel {
  readonly id: string;
  complete(request: ChatRequest): Promise<ChatResponse>;
  stream?(request: ChatRequest): AsyncIterable<string>;
  health?(): Promise<ProviderHealth>;
}
