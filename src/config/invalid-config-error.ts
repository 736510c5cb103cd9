import type { z } from 'zod';
import { MemoryError } from '../spec/memory-error.js';
import { CONFIG_KEYS, MODEL_ID_HINT } from './engram-config.js';

/** One thing wrong with the configuration, in the words the error message uses. */
export interface ConfigProblem {
  /** Config path ("search.weights.recency", "llm[0].model") or an env var / file name. */
  path: string;
  /** What is wrong, e.g. `expected a number ≥ 0, got "high"`. */
  message: string;
  /** How to fix it, when the message alone does not say. */
  hint?: string | undefined;
  /** Where the value came from: "code", "env ENGRAM_DB", "file /x/engram.config.json". */
  source?: string | undefined;
}

/** ONE error listing every problem, so a user fixes them all in one round. */
export function invalidConfigError(problems: readonly ConfigProblem[]): MemoryError {
  const lines = problems.map((p) => `  - ${formatProblem(p)}`);
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return new MemoryError(
    'invalid_config',
    `Invalid engram configuration (${problems.length} ${noun}):\n${lines.join('\n')}`,
    { details: { problems: problems.map((p) => ({ ...p })) } },
  );
}

export function formatProblem(p: ConfigProblem): string {
  const hint = p.hint ? ` (${p.hint})` : '';
  const source = p.source ? ` [from ${p.source}]` : '';
  return `${p.path}: ${p.message}${hint}${source}`;
}

/** "llm[0].baseUrl" from zod's ["llm", 0, "baseUrl"]. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

const SECRET_KEYS = /(apikey|api_key|encryptionkey|encryption_key|headers|token|secret|password)/i;

/** Shows a rejected value without ever echoing secrets back. */
export function describeValue(value: unknown, path: string): string {
  if (SECRET_KEYS.test(path)) return '(a value, hidden because it may be secret)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Turns zod issues into problems. `sourceOf` says where the value at a path came from.
 * Schema-level messages say what is accepted ("expected a whole number > 0"); this adds what
 * was given and, for unknown keys, the nearest allowed key.
 */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  sourceOf: (path: string) => string | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = path ? `${path}.${key}` : key;
        problems.push({
          path: keyPath,
          message: 'unknown key',
          hint: unknownKeyHint(key, allowedKeys(issue.path)),
          source: sourceOf(keyPath),
        });
      }
      continue;
    }
    problems.push({ path: path || '(root)', ...describeIssue(issue, path), source: sourceOf(path) });
  }
  return problems;
}

function describeIssue(issue: z.core.$ZodIssue, path: string): { message: string; hint?: string } {
  const input = issue.input;
  const leaf = issue.path[issue.path.length - 1];
  if (input === undefined && issue.code === 'invalid_type') {
    const hint = leaf === 'provider' || leaf === 'model' ? MODEL_ID_HINT : undefined;
    return { message: 'required', ...(hint ? { hint } : {}) };
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && !message.startsWith('expected')) {
    message = `expected ${issue.expected}`;
  } else if (issue.code === 'invalid_value' && !message.startsWith('expected')) {
    message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  // Object-level refinements (all weights zero) carry their own explanation.
  const showInput = input !== undefined && (typeof input !== 'object' || input === null);
  const withInput = showInput ? `${message}, got ${describeValue(input, path)}` : message;
  if (message.startsWith('expected a model id')) return { message: withInput, hint: MODEL_ID_HINT };
  return { message: withInput };
}

function allowedKeys(path: readonly PropertyKey[]): readonly string[] {
  const first = path[0];
  if (first === 'embedder' || first === 'llm') return CONFIG_KEYS.provider ?? [];
  const named = path.filter((p): p is string => typeof p === 'string').join('.');
  return CONFIG_KEYS[named] ?? [];
}

function unknownKeyHint(key: string, allowed: readonly string[]): string {
  const near = closest(key, allowed);
  if (near) return `did you mean "${near}"?`;
  return allowed.length ? `remove it; allowed keys: ${allowed.join(', ')}` : 'remove it';
}

/** The allowed key within a small edit distance, ignoring case and _/- (db_path → dbPath). */
function closest(key: string, allowed: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const d = editDistance(norm(key), norm(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(1, Math.floor(key.length / 3));
  if (bestDistance <= tolerance) return best;
  // A shortened name ("halfLife" for "halfLifeDays").
  if (key.length < 4) return undefined;
  return allowed.find((candidate) => norm(candidate).startsWith(norm(key)));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
