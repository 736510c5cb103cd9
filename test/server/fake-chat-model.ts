import type { ChatModel, ChatRequest } from '../../src/spec/chat-model.js';

/**
 * A chat model for server tests: extraction returns the facts scripted for a message; reconcile
 * adds every fact. It answers by the JSON schema's top-level property, as the engine asks.
 */
export function factChatModel(factsFor: (userText: string) => string[]): ChatModel & { calls: number } {
  let lastFacts = 0;
  const model = {
    id: 'fake:facts',
    calls: 0,
    async complete(request: ChatRequest) {
      model.calls += 1;
      const properties =
        (request.schema?.schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      const prompt = request.messages.map((m) => m.content).join('\n');
      let text: string;
      if ('facts' in properties) {
        const facts = factsFor(prompt);
        lastFacts = facts.length;
        text = JSON.stringify({
          facts: facts.map((f) => ({ text: f, importance: 0.7, category: 'preference', event_date: null })),
          // Single-pass asks for both at once: every fact is new.
          ...('operations' in properties
            ? { operations: facts.map((_, fact) => ({ event: 'ADD', fact })) }
            : {}),
        });
      } else if ('operations' in properties) {
        text = JSON.stringify({
          operations: Array.from({ length: lastFacts }, (_, i) => ({
            event: 'ADD',
            fact: i,
            id: null,
            text: null,
          })),
        });
      } else {
        text = '{}';
      }
      return { text, usage: { inputTokens: 10, outputTokens: 10, reported: true }, model: 'fake' };
    },
  };
  return model;
}
