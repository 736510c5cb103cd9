import type { ChatMessage, ChatUsage } from '../spec/chat-model.js';
import { countChatTokens, countTokens } from '../util/token-count.js';

/** Provider counts when both are present; otherwise a local estimate, marked as such. */
export function chatUsage(
  messages: readonly ChatMessage[],
  text: string,
  reportedInput: number | undefined,
  reportedOutput: number | undefined,
): ChatUsage {
  if (reportedInput !== undefined && reportedOutput !== undefined) {
    return { inputTokens: reportedInput, outputTokens: reportedOutput, reported: true };
  }
  return { inputTokens: countChatTokens(messages), outputTokens: countTokens(text), reported: false };
}
