/** A scripted chat answer: text, an HTTP failure, or text after a pause. */
export type ScriptedReply =
  | string
  | { status: number; body?: unknown }
  | { text: string; delayMs?: number; promptTokens?: number; completionTokens?: number };

export type ChatHandler<Request> = (request: Request) => ScriptedReply | Promise<ScriptedReply>;

export interface NormalisedReply {
  text?: string;
  status?: number;
  body?: unknown;
  delayMs?: number;
  promptTokens?: number;
  completionTokens?: number;
}

/** Chat answers in order from a queue, then from a handler, then a default. */
export class ChatScript<Request> {
  readonly #queue: ScriptedReply[] = [];
  #handler: ChatHandler<Request> | undefined;
  readonly #fallback: (request: Request) => string;

  constructor(fallback: (request: Request) => string) {
    this.#fallback = fallback;
  }

  push(replies: ScriptedReply[]): void {
    this.#queue.push(...replies);
  }

  setHandler(handler: ChatHandler<Request>): void {
    this.#handler = handler;
  }

  async next(request: Request): Promise<NormalisedReply> {
    const reply = this.#queue.shift() ?? (await this.#handler?.(request)) ?? this.#fallback(request);
    return typeof reply === 'string' ? { text: reply } : reply;
  }
}

/** Splits text into word-sized stream chunks that join back to exactly the text. */
export function streamPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
