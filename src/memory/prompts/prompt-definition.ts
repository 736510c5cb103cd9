import { z } from 'zod';

/**
 * A prompt is versioned data: its text, how the user turn is built, and the schema the reply
 * must satisfy. The version is recorded in usage and job payloads so results can be traced.
 */
export interface PromptDefinition<Input, Output> {
  id: string;
  version: number;
  system: string;
  user(input: Input): string;
  /** Validates the parsed reply; may depend on the input (e.g. which ids exist). */
  schema(input: Input): z.ZodType<Output>;
}

/** The JSON schema sent for constrained decoding (Ollama `format`, OpenAI `json_schema`). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}
