import { describe, expect, it } from 'vitest';
import { cosine, fakeEmbedding, fakeTokens } from '../support/fake-embedding.js';

describe('fakeEmbedding', () => {
  it('is deterministic, unit length and sized as asked', () => {
    const vector = fakeEmbedding('I like green tea', 32);
    expect(vector).toHaveLength(32);
    expect(vector).toEqual(fakeEmbedding('I like green tea', 32));
    expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
    expect(Math.hypot(...fakeEmbedding('?!', 8))).toBeCloseTo(1, 10);
  });

  it('puts texts that share words close together', () => {
    const query = fakeEmbedding('what tea does the user like');
    const related = fakeEmbedding('The user likes green tea');
    const unrelated = fakeEmbedding('My dog is called Rex');
    expect(cosine(query, related)).toBeGreaterThan(0.5);
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.3);
    expect(cosine(fakeEmbedding('Cats!'), fakeEmbedding('cat'))).toBeCloseTo(1, 10);
  });

  it('lower-cases, splits on non-letters and drops a plural s', () => {
    expect(fakeTokens("Alice's 2 dogs, glass & bus")).toEqual(['alice', 's', 'dog', 'glass', 'bus']);
  });
});
