import type { ChatMessage, ChatModel, ChatResponse } from '../../spec/chat-model.js';
import { countTokens } from '../../util/token-count.js';
import { withFallback } from '../models/with-fallback.js';

/**
 * Answers with the first model of the chain that can; streams through `onToken` when the caller
 * wants tokens and the model can stream (a streamed reply's token counts are estimated).
 */
export function answer(
  chain: readonly ChatModel[],
  messages: ChatMessage[],
  onToken: ((token: string) => void) | undefined,
): Promise<ChatResponse> {
  return withFallback(
    chain,
    async (model) => {
      if (onToken && model.stream) {
        let text = '';
        for await (const token of model.stream({ messages })) {
          text += token;
          onToken(token);
        }
        const inputTokens = messages.reduce((n, m) => n + countTokens(m.content), 0);
        return {
          text,
          model: model.id,
          usage: { inputTokens, outputTokens: countTokens(text), reported: false },
        };
      }
      const response = await model.complete({ messages });
      onToken?.(response.text);
      return response;
    },
    { what: 'answer' },
  );
}
