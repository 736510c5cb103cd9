import { MemoryError } from '../spec/memory-error.js';

/** not_found for a memory id of this tenant (another tenant's id answers the same). */
export function memoryNotFound(id: string): MemoryError {
  return new MemoryError('not_found', `No memory with id ${id}.`, {
    details: { id },
    hint: 'list_memories',
  });
}
