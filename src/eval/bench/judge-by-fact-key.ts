import type { ChatModel, ChatRequest, ChatResponse } from '../../spec/chat-model.js';
import { countTokens } from '../../util/token-count.js';
import { factKey } from './consolidation-scenario.js';
import { messageTokens } from './scripted-chat-model.js';

/**
 * The consolidation bench's stand-in for an LLM: it answers judge-duplicates@1 by comparing the
 * two texts' fact keys (words with the scenario's synonyms mapped back, sorted) — the answer a
 * careful model should give on this scenario. It counts calls and tokens (countTokens); any other
 * prompt is an error.
 */
export class JudgeByFactKey implements ChatModel {
  readonly id = 'bench:judge-by-fact-key';
  calls = 0;

  async complete(request: ChatRequest): Promise<ChatResponse> {
    if (request.schema?.name !== 'judge_duplicates') {
      throw new Error(`judge-by-fact-key: no answer for prompt "${request.schema?.name ?? 'free text'}"`);
    }
    const prompt = request.messages.find((m) => m.role === 'user')?.content ?? '';
    const verdicts = [...prompt.matchAll(/^(\d+): A: (.*)\n {3}B: (.*)$/gm)].map((m) => ({
      pair: Number(m[1]),
      same: factKey(m[2]!) === factKey(m[3]!),
    }));
    const text = JSON.stringify({ verdicts });
    this.calls++;
    return {
      text,
      usage: {
        inputTokens: messageTokens(request.messages),
        outputTokens: countTokens(text),
        reported: true,
      },
      model: this.id,
    };
  }
}
