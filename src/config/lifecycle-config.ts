import { z } from 'zod';
import { positiveInt } from './config-fields.js';

const bool = () => z.boolean({ error: 'expected true or false' });
const share = () => z.number({ error: 'expected a number between 0 and 1' }).min(0).max(1);

/**
 * The audit log (docs/security.md): who did what to which memories, when, with what outcome —
 * never the content. `reads` also records listings, gets and searches (the busiest part).
 */
export const auditFields = {
  enabled: bool(),
  reads: bool(),
  /** Entries older than this are purged (the log's own retention). */
  retentionDays: positiveInt(),
};

/**
 * Retention policies (docs/lifecycle.md): memories of a run-only / agent-only / user scope
 * expire this many days after they were last written (absent: never). Expired memories leave
 * search and listings like a passed `expirationDate`; with `purge`, a scheduled job erases them.
 */
export const retentionFields = {
  runDays: positiveInt(),
  agentDays: positiveInt(),
  userDays: positiveInt(),
  purge: bool(),
  purgeEveryMinutes: positiveInt(),
};

/** Which classes of secrets and personal data are redacted before storage or an LLM call. */
export const redactFields = {
  apiKeys: bool(),
  tokens: bool(),
  cards: bool(),
  emails: bool(),
  phones: bool(),
};

/**
 * Memory-poisoning defences (docs/security.md): text that reads as instructions to a model is
 * flagged (stored with a flag), quarantined (kept out of search and context until released), or
 * let through (`off`).
 */
export const safetyFields = {
  instructions: z.enum(['off', 'flag', 'quarantine'], { error: 'expected "off", "flag" or "quarantine"' }),
};

/** Consolidation of near-duplicates (docs/lifecycle.md): cosine similarities between memories. */
export const consolidationFields = {
  /** At or above: the same fact, merged without the LLM. */
  sameAbove: share(),
  /** From here up to sameAbove: the LLM decides. */
  askAbove: share(),
  /** Memories compared per run of the job (the newest of the scope). */
  maxMemories: positiveInt(),
};

/** The resolved blocks, with their defaults, spread into engramConfigSchema. */
export const lifecycleBlocks = {
  audit: z
    .strictObject({
      enabled: auditFields.enabled.default(true),
      reads: auditFields.reads.default(true),
      retentionDays: auditFields.retentionDays.default(365),
    })
    .prefault({}),
  retention: z
    .strictObject({
      runDays: retentionFields.runDays.optional(),
      agentDays: retentionFields.agentDays.optional(),
      userDays: retentionFields.userDays.optional(),
      purge: retentionFields.purge.default(false),
      purgeEveryMinutes: retentionFields.purgeEveryMinutes.default(60),
    })
    .prefault({}),
  safety: z
    .strictObject({
      instructions: safetyFields.instructions.default('flag'),
      redact: z
        .strictObject({
          apiKeys: redactFields.apiKeys.default(false),
          tokens: redactFields.tokens.default(false),
          cards: redactFields.cards.default(false),
          emails: redactFields.emails.default(false),
          phones: redactFields.phones.default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  consolidation: z
    .strictObject({
      sameAbove: consolidationFields.sameAbove.default(0.95),
      askAbove: consolidationFields.askAbove.default(0.85),
      maxMemories: consolidationFields.maxMemories.default(5000),
    })
    .refine((c) => c.askAbove <= c.sameAbove, {
      error: 'consolidation.askAbove must not exceed consolidation.sameAbove',
    })
    .prefault({}),
};

const optional = <T extends Record<string, z.ZodType>>(fields: T) =>
  z.strictObject(
    Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof T]: z.ZodOptional<T[K]>;
    },
  );

/** The same blocks as layers give them (no defaults), spread into engramConfigPatchSchema. */
export const lifecyclePatches = {
  audit: optional(auditFields).optional(),
  retention: optional(retentionFields).optional(),
  safety: z
    .strictObject({ ...optional(safetyFields).shape, redact: optional(redactFields).optional() })
    .optional(),
  consolidation: optional(consolidationFields).optional(),
};

/** Allowed keys per object path, for "did you mean" hints. */
export const LIFECYCLE_KEYS: Readonly<Record<string, readonly string[]>> = {
  audit: Object.keys(auditFields),
  retention: Object.keys(retentionFields),
  safety: ['instructions', 'redact'],
  'safety.redact': Object.keys(redactFields),
  consolidation: Object.keys(consolidationFields),
};
