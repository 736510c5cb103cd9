/** Field schemas shared by the configuration: number and string checks, and the settings of the store, a derived index, the graph and observation. */
import { z } from 'zod';

// Messages say what is accepted; the error formatter appends what was given ("got ...").
export const positiveInt = () =>
  z
    .number({ error: 'expected a whole number > 0' })
    .int({ error: 'expected a whole number > 0' })
    .positive({ error: 'expected a whole number > 0' });
export const nonNegativeInt = () =>
  z
    .number({ error: 'expected a whole number ≥ 0' })
    .int({ error: 'expected a whole number ≥ 0' })
    .nonnegative({ error: 'expected a whole number ≥ 0' });
export const positiveNumber = () =>
  z.number({ error: 'expected a number > 0' }).positive({ error: 'expected a number > 0' });
export const nonNegativeNumber = () =>
  z.number({ error: 'expected a number ≥ 0' }).nonnegative({ error: 'expected a number ≥ 0' });
export const nonEmptyString = () =>
  z.string({ error: 'expected a non-empty string' }).trim().min(1, { error: 'expected a non-empty string' });

/**
 * Where memories live. `provider` names a registered store backend (stores/registry.ts); the
 * other fields are that backend's settings, and a backend refuses the ones it does not use.
 */
export const storeFields = {
  provider: nonEmptyString(),
  path: nonEmptyString().optional(),
  url: nonEmptyString().optional(),
  schema: nonEmptyString().optional(),
  pool: positiveInt().optional(),
  /** PostgreSQL: the text search configuration of the full-text index (english, simple, german …). */
  language: nonEmptyString().optional(),
  /** Open the database for reads only (SQLite: an existing, current file; writes are `read_only`). */
  readOnly: z.boolean({ error: 'expected true or false' }).optional(),
  /** SQLite: encrypt the database file at rest with this passphrase (docs/security.md). Never logged. */
  encryptionKey: nonEmptyString().optional(),
  /** SQLite: a file holding the passphrase (its first line); the alternative to encryptionKey. */
  encryptionKeyFile: nonEmptyString().optional(),
};
export const storeSettings = z.strictObject(storeFields);

/**
 * A derived vector index fed from the store's outbox (indexes/registry.ts): the vector leg of
 * search asks it, the store stays the source of truth. Each provider refuses fields it does not use.
 */
export const indexFields = {
  provider: nonEmptyString(),
  /** The server: Qdrant's REST URL (http://localhost:6333) or a Chroma server's (http://localhost:8000). */
  url: nonEmptyString().optional(),
  /** Qdrant: the api-key header. */
  apiKey: nonEmptyString().optional(),
  /** The collection engram writes (default "engram"); it is engram's alone. */
  collection: nonEmptyString().optional(),
  /** Milliseconds one request to the index may take (search then falls back to the store). Default 5000. */
  timeoutMs: positiveInt().optional(),
};
export const indexSettings = z.strictObject(indexFields);

/**
 * The temporal graph (docs/graph.md): opt-in, because it costs one more LLM call per add. Caps
 * bound what one add may write; the thresholds are cosine similarities between entity names.
 */
export const graphFields = {
  enabled: z.boolean({ error: 'expected true or false' }),
  maxEntities: positiveInt(),
  maxRelations: positiveInt(),
  /** At or above: the same entity, decided without the LLM. */
  sameAbove: z.number({ error: 'expected a number between 0 and 1' }).min(0).max(1),
  /** From here up to sameAbove: the LLM confirms or rejects the match. */
  askAbove: z.number({ error: 'expected a number between 0 and 1' }).min(0).max(1),
};

/**
 * Passive observation of multi-speaker channels (docs/observation.md): messages are logged at once
 * and extracted in windows, every `windowMessages` messages or `windowMinutes` minutes per channel,
 * whichever comes first; a window that waited grows up to `maxWindowTokens`.
 */
export const observeFields = {
  windowMessages: positiveInt(),
  windowMinutes: z.number({ error: 'expected a number of minutes > 0' }).positive(),
  /** Messages before a window shown as context (a fact split across windows is not lost). */
  overlap: nonNegativeInt(),
  maxWindowTokens: positiveInt(),
  includeBots: z.boolean({ error: 'expected true or false' }),
  excludeSpeakers: z.array(nonEmptyString()),
  /** Regular expressions: a message matching one is not sent to extraction (it stays in the log). */
  skipPatterns: z.array(
    z.string().refine(
      (p) => {
        try {
          new RegExp(p, 'iu');
          return true;
        } catch {
          return false;
        }
      },
      { error: 'expected a valid regular expression' },
    ),
  ),
  /** Prices per million tokens by model id ("openai:gpt-4o-mini"), over the built-in table. */
  prices: z.record(
    z.string(),
    z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
  ),
};

export const weightFields = {
  relevance: nonNegativeNumber(),
  recency: nonNegativeNumber(),
  importance: nonNegativeNumber(),
};
export const searchFields = {
  halfLifeDays: positiveNumber(),
  candidates: positiveInt(),
  keywordWeight: z
    .number({ error: 'expected a number from 0 to 1' })
    .min(0, { error: 'expected a number from 0 to 1' })
    .max(1, { error: 'expected a number from 0 to 1' }),
  defaultLimit: positiveInt(),
};
/** A whole number from 1 to `max`: a limit the database itself could not go past. */
const boundedInt = (max: number, why: string) =>
  positiveInt().max(max, { error: `expected a whole number from 1 to ${max} (${why})` });
export const limitsFields = {
  maxTextChars: positiveInt(),
  maxMessages: positiveInt(),
  maxMetadataBytes: positiveInt(),
  // SQLite refuses expressions and JSON nested deeper than 1,000, and compiling a filter takes
  // time that grows faster than its size (~1 s at 5,000 conditions, blocking the process):
  // the caps keep every allowed input runnable and cheap enough.
  maxFilterDepth: boundedInt(100, 'SQLite expression depth'),
  maxFilterNodes: boundedInt(5_000, 'time to compile the SQL'),
  maxFilterList: positiveInt(),
  maxMetadataDepth: boundedInt(500, 'SQLite JSON nesting'),
};

/** The defaults of `limits` (docs/architecture.md, "Input limits"). */
export const DEFAULT_LIMITS = {
  maxTextChars: 20_000,
  maxMessages: 200,
  maxMetadataBytes: 16_384,
  maxFilterDepth: 32,
  maxFilterNodes: 1_000,
  maxFilterList: 1_000,
  maxMetadataDepth: 32,
} as const;
