import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryType, Metadata } from '../../spec/memory-record.js';
import { parseTime } from '../../util/parse-time.js';
import type { AddOptions, InputMessage } from '../api-types.js';
import { checkExpirationDate, withExpiration } from '../filters/expiration.js';
import { requireScope, type ScopeIds, scopeIds } from '../resolve-scope.js';
import type { InstructionClass } from '../safety/detect-instructions.js';
import { refuseReservedKey, type SafetyConfig } from '../safety/safety-mark.js';
import { screenText } from '../safety/screen-text.js';
import {
  checkImportance,
  checkMemoryType,
  checkMetadata,
  type InputLimits,
  normaliseMessages,
} from '../validate-input.js';

/** An add's input and options, checked once for every way in (add, enqueueAdd). */
export interface CheckedAdd {
  ids: ScopeIds;
  messages: InputMessage[];
  eventTime: string;
  metadata: Metadata;
  /** The caller's importance; absent: 0.5 for a raw add, the model's estimate for an inferred one. */
  importance: number | undefined;
  infer: boolean;
  memoryType: MemoryType;
  actorId: string | null;
  /** This add's extra extraction instructions (after the configured ones). */
  customInstructions?: string | undefined;
  /** Per message, the instruction classes found in it as given (config safety.instructions). */
  flags: InstructionClass[][];
}

export function checkAdd(
  input: unknown,
  options: AddOptions,
  { limits, safety }: { limits: InputLimits; safety: SafetyConfig },
  now: () => string,
): CheckedAdd {
  // Secrets are redacted and hidden characters removed before anything is logged, stored or sent.
  const screened = normaliseMessages(input, limits).map((m) => ({ m, s: screenText(m.content, safety) }));
  const messages = screened.map(({ m, s }) => ({ ...m, content: s.text }));
  const ids = requireScope(scopeIds(options), 'Adding memories');
  const infer = options.infer ?? true;
  if (!infer && options.customInstructions !== undefined) {
    throw new MemoryError(
      'invalid_input',
      'customInstructions guide the extraction of an inferred add; with infer: false nothing is extracted. Drop one of them.',
    );
  }
  refuseReservedKey(options.metadata as Metadata | undefined, 'Adding memories');
  return {
    ids,
    messages,
    flags: screened.map(({ s }) => s.flags),
    eventTime: options.eventTime === undefined ? now() : parseTime(options.eventTime, 'eventTime'),
    metadata: withExpiration(
      checkMetadata(options.metadata, limits),
      checkExpirationDate(options.expirationDate),
    ),
    importance: checkImportance(options.importance),
    infer,
    memoryType: checkMemoryType(options.memoryType ?? (infer ? 'semantic' : 'episodic'), ids.agentId),
    actorId: options.actorId ?? null,
    ...(options.customInstructions === undefined
      ? {}
      : { customInstructions: checkInstructions(options.customInstructions, limits) }),
  };
}

function checkInstructions(value: unknown, limits: InputLimits): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > limits.maxTextChars) {
    throw new MemoryError(
      'invalid_input',
      `customInstructions must be non-empty text of at most ${limits.maxTextChars} characters (config limits.maxTextChars).`,
    );
  }
  return value.trim();
}
