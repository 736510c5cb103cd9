import { createRequire } from 'node:module';

type CountFn = (
  text: string,
  options: { allowedSpecial: Set<string>; disallowedSpecial: Set<string> },
) => number;

// Loaded on first use: the encoder's tables cost ~0.5 s of start-up that most CLI commands never need.
let countO200k: CountFn | undefined;
function encoder(): CountFn {
  countO200k ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: CountFn }).countTokens;
  return countO200k;
}

// User text may contain strings like "<|endoftext|>"; they must count as text, not make the tokenizer throw.
const PLAIN_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/** Tokens in `text` under the o200k encoding: exact for current OpenAI models, a fair estimate elsewhere. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : encoder()(text, PLAIN_TEXT);
}

/** Per-message framing (role markers, separators) that chat templates add around content. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/** Estimated prompt tokens of a chat request, used when the provider does not report usage. */
export function countChatTokens(messages: readonly { content: string }[]): number {
  let total = 0;
  for (const message of messages) total += countTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}
