import type { ChatMessage } from '../../spec/chat-model.js';
import type {
  AddOptions,
  AddResult,
  ChatOptions,
  ChatResult,
  ContextResult,
  InputMessage,
  SearchOptions,
} from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { ANSWER_WITH_MEMORIES } from '../prompts/answer-with-memories.js';
import type { ScopeIds } from '../resolve-scope.js';
import { screenText } from '../safety/screen-text.js';
import { answer } from './answer.js';

/** The Memory operations a chat turn is made of: recall before answering, remember after. */
export interface ChatSteps {
  context(query: string, options: SearchOptions & { tokenBudget?: number }): Promise<ContextResult>;
  add(input: InputMessage[], options: AddOptions): Promise<AddResult>;
}

/**
 * One chat turn with memory: recall what is relevant, answer with the LLM (streamed through
 * `onToken` when given), then remember the turn through the normal add.
 */
export async function chat(
  ctx: MemoryContext,
  steps: ChatSteps,
  ids: ScopeIds,
  said: string,
  options: ChatOptions,
): Promise<ChatResult> {
  // Redacted (and hidden characters removed) before the answer model or the embedder sees it.
  const message = screenText(said, ctx.config.safety).text;
  const { store } = await ctx.open();
  const chain = ctx.engine.chain();
  const scope = {
    userId: ids.userId ?? undefined,
    agentId: ids.agentId ?? undefined,
    runId: ids.runId ?? undefined,
  };
  const recalled = await steps.context(message, { ...scope, tokenBudget: options.tokenBudget ?? 800 });
  const history = await store.recentMessages({ tenant: ctx.tenant, ...ids }, options.historyTurns ?? 6);
  const messages: ChatMessage[] = [
    { role: 'system', content: ANSWER_WITH_MEMORIES.system(recalled.text, ctx.engine.now()) },
    ...history.map((m) => ({
      role: m.role === 'assistant' ? ('assistant' as const) : ('user' as const),
      content: m.content,
    })),
    { role: 'user', content: message },
  ];
  const started = performance.now();
  const reply = await answer(chain, messages, options.onToken);
  const answerMs = performance.now() - started;
  const remembered = await steps.add(
    [
      { role: 'user', content: message },
      { role: 'assistant', content: reply.text },
    ],
    { ...scope, infer: options.remember !== 'raw' },
  );
  return {
    reply: reply.text,
    memories: recalled.memories,
    remembered,
    usage: {
      answer: {
        model: reply.model,
        inputTokens: reply.usage.inputTokens,
        outputTokens: reply.usage.outputTokens,
        ms: Math.round(answerMs),
      },
    },
  };
}
