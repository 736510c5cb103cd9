import { MemoryError } from '../../../spec/memory-error.js';
import type { LocomoConversation } from '../locomo-dataset.js';

export function pickConversations(
  all: LocomoConversation[],
  picks: (number | string)[] | undefined,
): LocomoConversation[] {
  if (!picks || picks.length === 0) return all;
  return picks.map((pick) => {
    const conversation = typeof pick === 'number' ? all[pick - 1] : all.find((c) => c.sampleId === pick);
    if (!conversation) {
      throw new MemoryError(
        'invalid_input',
        `There is no conversation ${pick}; the file has 1 to ${all.length} (${all[0]?.sampleId ?? ''} …).`,
      );
    }
    return conversation;
  });
}

export function lastSessionDate(conversation: LocomoConversation): string {
  const dates = conversation.sessions.map((s) => s.date).filter((d): d is string => d !== null);
  return dates.sort().at(-1) ?? new Date(0).toISOString();
}
