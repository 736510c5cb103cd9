import { describe, expect, it } from 'vitest';
import { withFallback } from '../../src/memory/models/with-fallback.js';
import type { ChatModel } from '../../src/spec/chat-model.js';
import { MemoryError } from '../../src/spec/memory-error.js';

/** A model that only has an id; the attempt decides what happens with it. */
function model(id: string): ChatModel {
  return {
    id,
    complete: () => Promise.reject(new Error('not used')),
  };
}

describe('withFallback', () => {
  it('moves down the chain on upstream failures and returns the first answer', async () => {
    const tried: string[] = [];
    const answer = await withFallback(
      [model('a'), model('b'), model('c')],
      async (m) => {
        tried.push(m.id);
        if (m.id === 'a') throw new MemoryError('llm_unreachable', 'a is down', { isRetryable: true });
        return `answer from ${m.id}`;
      },
      { what: 'answer' },
    );
    expect(answer).toBe('answer from b');
    expect(tried).toEqual(['a', 'b']);
  });

  it('throws one llm_unreachable listing every failure when the whole chain fails', async () => {
    const error = await withFallback(
      [model('a'), model('b')],
      async (m) => {
        throw new MemoryError(m.id === 'a' ? 'llm_unreachable' : 'llm_invalid_output', `${m.id} failed`);
      },
      { what: 'answer' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryError);
    expect(error).toMatchObject({ code: 'llm_unreachable', isRetryable: true });
    expect((error as MemoryError).message).toContain('a: a failed | b: b failed');
  });

  it('stops at once on an error that is not upstream', async () => {
    const tried: string[] = [];
    const error = await withFallback(
      [model('a'), model('b')],
      async (m) => {
        tried.push(m.id);
        throw new MemoryError('invalid_input', 'bad request');
      },
      { what: 'answer' },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(tried).toEqual(['a']);
  });

  it('lets the caller build the final error from the failures', async () => {
    const error = await withFallback(
      [model('a')],
      async () => {
        throw new MemoryError('llm_invalid_output', 'no JSON');
      },
      {
        what: 'extract facts',
        exhausted: (failures) => new MemoryError(failures[0]!.error.code, `kept: ${failures[0]!.model}`),
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'llm_invalid_output', message: 'kept: a' });
  });
});
