import type { ChatMessage, ChatModel } from '../../spec/chat-model.js';
import { MemoryError } from '../../spec/memory-error.js';
import { extractJson, looksLikeSchema } from '../../util/extract-json.js';
import { listFailures, withFallback } from '../models/with-fallback.js';
import { jsonSchemaOf, type PromptDefinition } from '../prompts/prompt-definition.js';
import type { UsageMeter } from './usage-meter.js';

/**
 * Asks for structured output and does not give up on the first bad reply: constrained decoding
 * (the adapter sends the JSON schema), a tolerant parser, validation, then ONE repair turn that
 * shows the model its own reply and the exact problem. Upstream failures move down the chain.
 * What still fails is a visible error — never an empty result.
 */
export async function callStructured<Input, Output>(
  chain: readonly ChatModel[],
  prompt: PromptDefinition<Input, Output>,
  input: Input,
  meter: UsageMeter,
): Promise<Output> {
  if (chain.length === 0) {
    throw new MemoryError('llm_not_configured', 'No LLM is configured (config llm or ENGRAM_LLM).');
  }
  const schema = prompt.schema(input);
  const request = { name: prompt.id.replaceAll('-', '_'), schema: jsonSchemaOf(schema) };
  const messages: ChatMessage[] = [
    { role: 'system', content: prompt.system },
    { role: 'user', content: prompt.user(input) },
  ];
  return withFallback(chain, (model) => askWithRepair(model, messages, request, schema, meter), {
    what: `answer ${prompt.id}`,
    // The last failure's code survives (llm_invalid_output stays visible in jobs and errors).
    exhausted: (failures) => {
      const last = failures[failures.length - 1]?.error;
      const code = last?.code ?? 'llm_error';
      return new MemoryError(
        code,
        failures.length === 1 ? last!.message : `Every LLM failed: ${listFailures(failures)}`,
        {
          cause: last,
          isRetryable: true,
          details: {
            prompt: `${prompt.id}@${prompt.version}`,
            failures: failures.map((f) => `${f.model}: ${f.error.message}`),
          },
        },
      );
    },
  });
}

async function askWithRepair<Output>(
  model: ChatModel,
  messages: ChatMessage[],
  request: { name: string; schema: Record<string, unknown> },
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: Output }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  meter: UsageMeter,
): Promise<Output> {
  let conversation = messages;
  let problem = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const response = await model.complete({ messages: conversation, schema: request, temperature: 0 });
    meter.recordChat(response.usage);
    const verdict = judge(response.text, schema);
    if (verdict.ok) return verdict.value;
    problem = verdict.problem;
    conversation = [
      ...messages,
      { role: 'assistant', content: response.text },
      {
        role: 'user',
        content: `That reply cannot be used: ${problem}. Answer again with only the JSON object, following the schema exactly.`,
      },
    ];
  }
  throw new MemoryError(
    'llm_invalid_output',
    `${model.id} did not return usable JSON after a repair attempt: ${problem}`,
    {
      isRetryable: true,
    },
  );
}

type Verdict<T> = { ok: true; value: T } | { ok: false; problem: string };

function judge<Output>(
  text: string,
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: Output }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
): Verdict<Output> {
  const parsed = extractJson(text);
  if (!parsed.ok) return { ok: false, problem: parsed.error };
  if (looksLikeSchema(parsed.value)) {
    return {
      ok: false,
      problem: 'it repeats the JSON schema instead of answering with data that follows it',
    };
  }
  const checked = schema.safeParse(parsed.value);
  if (checked.success) return { ok: true, value: checked.data };
  const issues = checked.error.issues
    .slice(0, 8)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, problem: `it does not match the schema (${issues})` };
}
