import type { ChatModel, ChatRequest } from '../../src/spec/chat-model.js';

/**
 * A chat model that answers an observe-window call with the facts given (each said by `speaker`
 * in the window's message `message`) and any other call with `{}`; it records every prompt,
 * system message included.
 */
export function observeModel(
  facts: { text: string; speaker: string; message: number }[],
): ChatModel & { prompts: string[] } {
  const model = {
    id: 'fake:observe',
    prompts: [] as string[],
    async complete(request: ChatRequest) {
      model.prompts.push(request.messages.map((m) => m.content).join('\n'));
      const props = (request.schema?.schema as { properties?: { facts?: unknown } } | undefined)?.properties;
      const text = props?.facts
        ? JSON.stringify({
            facts: facts.map((f) => ({
              text: f.text,
              speaker: f.speaker,
              messages: [f.message],
              importance: 0.7,
              category: 'other',
              event_date: null,
            })),
          })
        : '{}';
      return { text, usage: { inputTokens: 1, outputTokens: 1, reported: true }, model: 'fake' };
    },
  };
  return model;
}
