import { MemoryError } from '../spec/memory-error.js';
import type { JsonValue } from '../spec/memory-record.js';

/** `--metadata` / `--filters`: a JSON object, checked before anything is opened or written. */
export function parseJsonObjectFlag(
  value: string | undefined,
  flag: string,
): Record<string, JsonValue> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MemoryError(
      'invalid_input',
      `${flag} is not valid JSON (${reason}); give a JSON object, e.g. '{"topic": "food"}'.`,
      {
        details: { flag },
      },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MemoryError('invalid_input', `${flag} must be a JSON object, e.g. '{"topic": "food"}'.`, {
      details: { flag },
    });
  }
  // JSON.parse only ever yields JSON values.
  return parsed as Record<string, JsonValue>;
}

/** A whole number within [min, max] (default: ≥ 1); anything else names the flag and the range. */
export function parseIntegerFlag(
  value: string | undefined,
  flag: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const min = range.min ?? 1;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const number = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(number) || number < min || number > max) {
    const wanted = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new MemoryError(
      'invalid_input',
      `${flag} must be a whole number ${wanted}, got ${JSON.stringify(value)}.`,
      {
        details: { flag },
      },
    );
  }
  return number;
}

export function parseNumberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw new MemoryError('invalid_input', `${flag} must be a number, got ${JSON.stringify(value)}.`, {
      details: { flag },
    });
  }
  return number;
}
