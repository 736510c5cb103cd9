import { z } from 'zod';

function isJsonObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A free JSON object (metadata) as the front ends accept it. `z.record` would rebuild the object
 * and silently drop a key named `__proto__`; this checks the shape and passes the parsed object
 * on as it came (JSON.parse makes every key an own property), so the engine stores every key the
 * library itself would. The JSON Schema it documents is still `{type: object}`.
 */
export function jsonObjectSchema(description: string) {
  return z
    .unknown()
    .refine(isJsonObject, { error: 'expected a JSON object' })
    .meta({ type: 'object', additionalProperties: {} })
    .describe(description);
}
