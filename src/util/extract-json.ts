/**
 * Pulls one JSON value out of what a (small, local) model actually wrote: reasoning in
 * <think> blocks, Markdown code fences, prose before and after, trailing commas, smart quotes
 * around keys. It never invents content: text that is cut off stays an error, so the caller can
 * ask again instead of storing half an answer.
 */
export type ExtractResult = { ok: true; value: unknown } | { ok: false; error: string };

export function extractJson(raw: string): ExtractResult {
  let text = raw.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/<think>[\s\S]*$/i, '');
  const fenced = [...text.matchAll(/```(?:json|JSON)?\s*([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const candidates = fenced.length > 0 ? fenced : [text];
  let lastError = 'the reply contains no JSON object';
  for (const candidate of candidates) {
    text = candidate.trim();
    const start = text.search(/[{[]/);
    if (start < 0) continue;
    const end = matchingEnd(text, start);
    if (end < 0) {
      lastError = 'the JSON in the reply is cut off (unbalanced brackets or an unterminated string)';
      continue;
    }
    const slice = text.slice(start, end + 1);
    for (const attempt of [slice, relax(slice)]) {
      try {
        return { ok: true, value: JSON.parse(attempt) };
      } catch (error) {
        lastError = `the JSON in the reply does not parse: ${(error as Error).message}`;
      }
    }
  }
  return { ok: false, error: lastError };
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when it never closes. */
function matchingEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') stack.push(ch === '{' ? '}' : ']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** Fixes the mistakes models make that have exactly one reading: trailing commas and curly quotes. */
function relax(json: string): string {
  return json.replace(/[\u201c\u201d]/g, '"').replace(/,\s*([}\]])/g, '$1');
}

/** A model that echoes the schema instead of answering returns something shaped like a schema. */
export function looksLikeSchema(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (v.type === 'object' && typeof v.properties === 'object') || typeof v.$schema === 'string';
}
