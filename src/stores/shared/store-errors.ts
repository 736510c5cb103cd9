import { MemoryError } from '../../spec/memory-error.js';

export function memoryNotFound(id: string): MemoryError {
  return new MemoryError('not_found', `No memory with id ${id} in this scope.`, {
    details: { id },
    hint: 'list_memories',
  });
}

/** An update would give a memory the text another active memory of its scope already has. */
export function duplicateText(id: string, existing: string): MemoryError {
  return new MemoryError(
    'conflict',
    `Memory ${existing} in the same scope already says exactly this; update or delete that one instead of ${id}.`,
    { details: { id, existing } },
  );
}

/** A change dated before the version it closes began. */
export function backdated(id: string, eventTime: string, validFrom: string): MemoryError {
  return new MemoryError(
    'invalid_input',
    `The change to memory ${id} is dated ${eventTime}, before its current version became true (${validFrom}). Pass an event time at or after ${validFrom}.`,
    { details: { id, eventTime, validFrom } },
  );
}
