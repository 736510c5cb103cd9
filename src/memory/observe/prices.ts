/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * List prices of a few hosted models, per million tokens, as their providers published them in
 * 2025 (they change: `observe.prices` overrides any entry). A local model (ollama:…) costs 0.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'openai:gpt-4o': { input: 2.5, output: 10 },
  'openai:gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'openai:gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'anthropic:claude-3-5-haiku-latest': { input: 0.8, output: 4 },
  'anthropic:claude-sonnet-4-0': { input: 3, output: 15 },
};

export function priceOf(model: string, overrides: Readonly<Record<string, ModelPrice>>): ModelPrice | null {
  const price = overrides[model] ?? BUILT_IN_PRICES[model];
  if (price) return price;
  return model.startsWith('ollama:') || model.startsWith('llama-cpp:') ? { input: 0, output: 0 } : null;
}

export function estimateCost(
  model: string,
  tokens: { inputTokens: number; outputTokens: number },
  overrides: Readonly<Record<string, ModelPrice>>,
): { model: string; price: ModelPrice; usd: number } | null {
  const price = priceOf(model, overrides);
  if (!price) return null;
  const usd = (tokens.inputTokens * price.input + tokens.outputTokens * price.output) / 1_000_000;
  return { model, price, usd: Math.round(usd * 1e6) / 1e6 };
}
