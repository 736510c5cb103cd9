import type { ChatModel, ChatRequest, ChatResponse } from '../../spec/chat-model.js';
import { countTokens } from '../../util/token-count.js';
import { answerPrompt, promptKindOf } from './scripted-answers.js';

/** Prompt tokens of a request as both fakes count them: the messages' text, nothing else. */
export function messageTokens(messages: readonly { content: string }[]): number {
  let total = 0;
  for (const m of messages) total += countTokens(m.content);
  return total;
}

/**
 * A zero-latency in-process LLM for the pipeline benchmark. It answers engram's extraction,
 * reconciliation and single-pass prompts deterministically (scripted-answers.ts), reports usage
 * from countTokens so AddResult.usage is exact, and keeps the time spent inside it so the
 * benchmark can subtract it.
 */
export class ScriptedChatModel implements ChatModel {
  readonly id = 'bench:scripted';
  calls = 0;
  inputTokens = 0;
  outputTokens = 0;
  ms = 0;

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const started = performance.now();
    const userPrompt = request.messages.find((m) => m.role === 'user')?.content ?? '';
    const kind = promptKindOf(request.schema?.name, userPrompt);
    if (!kind)
      throw new Error(`scripted model: no answer for prompt "${request.schema?.name ?? 'free text'}"`);
    const text = answerPrompt(kind, userPrompt);
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
