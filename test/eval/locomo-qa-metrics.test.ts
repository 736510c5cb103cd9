import { describe, expect, it } from 'vitest';
import {
  answerTokens,
  bleu1,
  isAbstention,
  percentile,
  tokenF1,
} from '../../src/eval/locomo/qa/answer-metrics.js';

describe('answer normalisation', () => {
  it('lowercases, strips punctuation and the articles a/an/the', () => {
    expect(answerTokens('The Cat, an owl & a DOG!')).toEqual(['cat', 'owl', 'dog']);
    expect(answerTokens("Caroline's 7 May, 2023.")).toEqual(['carolines', '7', 'may', '2023']);
    expect(answerTokens('  ')).toEqual([]);
  });
});

describe('token F1 (hand-checked)', () => {
  it('scores overlap as the harmonic mean of precision and recall', () => {
    // [cat sat on mat] vs [cat on mat]: 3 shared, P = 3/4, R = 1 → 2·0.75/1.75 = 6/7.
    expect(tokenF1('The cat sat on the mat.', 'a cat on a mat')).toBeCloseTo(6 / 7, 10);
    // [paris] vs [paris france]: P = 1, R = 1/2 → 2/3.
    expect(tokenF1('Paris', 'Paris, France')).toBeCloseTo(2 / 3, 10);
    // Repeated tokens count once per occurrence in both: [cat cat cat] vs [cat dog]: P = 1/3, R = 1/2 → 0.4.
    expect(tokenF1('cat cat cat', 'cat dog')).toBeCloseTo(0.4, 10);
  });

  it('handles exact, disjoint and empty answers', () => {
    expect(tokenF1('The Lisbon marathon', 'lisbon marathon')).toBe(1);
    expect(tokenF1('Porto', 'Lisbon')).toBe(0);
    expect(tokenF1('', 'Lisbon')).toBe(0);
    expect(tokenF1('the', 'a')).toBe(1); // both empty after normalisation
  });
});

describe('BLEU-1 (hand-checked)', () => {
  it('is clipped unigram precision times the brevity penalty', () => {
    // c = 4 > r = 3: no penalty; precision 3/4.
    expect(bleu1('The cat sat on the mat.', 'a cat on a mat')).toBeCloseTo(0.75, 10);
    // c = 1 < r = 2: precision 1 · exp(1 − 2/1) = e^−1.
    expect(bleu1('Paris', 'Paris, France')).toBeCloseTo(Math.exp(-1), 10);
    // Clipping: "cat" counts once because the reference has it once; 1/3, c = 3 > r = 2.
    expect(bleu1('cat cat cat', 'cat dog')).toBeCloseTo(1 / 3, 10);
    // c = 2 < r = 3, all correct: exp(1 − 3/2).
    expect(bleu1('7 May', '7 May 2023')).toBeCloseTo(Math.exp(-0.5), 10);
  });

  it('is 0 for an empty or disjoint prediction', () => {
    expect(bleu1('', 'Lisbon')).toBe(0);
    expect(bleu1('Porto', 'Lisbon')).toBe(0);
  });
});

describe('adversarial grading', () => {
  it('recognises answers that decline', () => {
    for (const answer of [
      'Not mentioned in the conversation.',
      'The notes do not mention it.',
      "I don't know.",
      'There is no information about that.',
      'Unknown',
    ]) {
      expect(isAbstention(answer), answer).toBe(true);
    }
    for (const answer of ['Pixel', 'She mentioned a dog named Pixel', 'In Lisbon']) {
      expect(isAbstention(answer), answer).toBe(false);
    }
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile([42], 95)).toBe(42);
    expect(percentile([], 50)).toBeNull();
  });
});
