import { MemoryError } from '../../spec/memory-error.js';

/** A tokenizer.json feature engram does not implement: refused by name rather than tokenized differently. */
export function unsupported(
  kind: string,
  type: string,
  supported: readonly string[],
  cause?: unknown,
): MemoryError {
  const known = supported.length === 0 ? '' : ` Supported ${kind} types: ${supported.join(', ')}.`;
  return new MemoryError(
    'invalid_config',
    `tokenizer.json uses ${kind} type "${type}", which engram's built-in model2vec tokenizer does not support.${known} ` +
      'Use a model2vec model with a WordPiece, Unigram or WordLevel tokenizer, or another embedding provider.',
    { cause, details: { kind, type, supported } },
  );
}
