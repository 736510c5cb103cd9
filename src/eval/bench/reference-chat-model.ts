import type { ChatRequest, ChatResponse } from '../../spec/chat-model.js';
import { countTokens } from '../../util/token-count.js';
import { answerPrompt, type WindowReference } from './scripted-answers.js';
import { messageTokens, ScriptedChatModel } from './scripted-chat-model.js';

/**
 * The scripted model with a reference for observation windows: it answers `observe_window` with
 * the facts the reference gives for the window's messages (so where each fact ends up can be
 * checked against its annotated speaker), and every other prompt as ScriptedChatModel does.
 * Counts calls, tokens and time the same way.
 */
export class ReferenceChatModel extends ScriptedChatModel {
  readonly #reference: WindowReference;

  constructor(reference: WindowReference) {
    super();
    this.#reference = reference;
  }

  override async complete(request: ChatRequest): Promise<ChatResponse> {
    if (request.schema?.name !== 'observe_window') return super.complete(request);
    const started = performance.now();
    const userPrompt = request.messages.find((m) => m.role === 'user')?.content ?? '';
    const text = answerPrompt('observe_window', userPrompt, this.#reference);
    const usage = {
      inputTokens: messageTokens(request.messages),
      outputTokens: countTokens(text),
      reported: true,
    };
    this.calls++;
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.ms += performance.now() - started;
    return { text, usage, model: this.id };
  }
}
