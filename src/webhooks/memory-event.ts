import type { WebhookEventType } from './webhook-registry.js';

/** A change to one memory, as a webhook reports it (mem0's `event_details`). */
export interface MemoryEvent {
  id: string;
  memory: string;
  event: 'ADD' | 'UPDATE' | 'DELETE';
}

export const EVENT_TYPES: Readonly<Record<MemoryEvent['event'], WebhookEventType>> = {
  ADD: 'memory_add',
  UPDATE: 'memory_update',
  DELETE: 'memory_delete',
};

/** The body mem0 posts (`event_details`), plus which event type and project it belongs to. */
export function memoryEventBody(event: MemoryEvent, project: string): Record<string, unknown> {
  return {
    event_details: { id: event.id, data: { memory: event.memory }, event: event.event },
    event_type: EVENT_TYPES[event.event],
    project,
  };
}
