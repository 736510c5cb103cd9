import type { Context } from 'hono';
import type { z } from 'zod';
import { HttpError } from './http-error.js';

function invalid(where: string, error: z.ZodError): HttpError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
  return new HttpError(
    400,
    'invalid_input',
    `Invalid request ${where}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}.`,
    {
      details: { fields },
    },
  );
}

/** The JSON body, validated; 400 with field-level messages otherwise. */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.', { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid('body', parsed.error);
  return parsed.data;
}

/** The query string, validated like a body. */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalid('query', parsed.error);
  return parsed.data;
}
