import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModeScores } from '../../src/eval/locomo/locomo-report.js';
import { runLocomoRetrieval } from '../../src/eval/locomo/run-locomo-retrieval.js';
import { describePostgres, postgresFixture } from '../support/postgres.js';

// The dataset is licensed for evaluation only and lives outside the repository.
const DATA = resolve(process.cwd(), '../shared/data/locomo/locomo10.json');

describe.skipIf(!existsSync(DATA))('LoCoMo retrieval harness', () => {
  it('scores a small subset and reports every mode', async () => {
    const report = await runLocomoRetrieval({
      dataPath: DATA,
      conversations: [1],
      limit: 10,
      embedder: null,
    });
    expect(report.questions).toBe(10);
    expect(report.dataset.conversations).toEqual(['conv-26']);
    expect(report.modes.vector).toEqual({ skipped: true, reason: 'no embedder was given' });
    const keyword = report.modes.keyword as ModeScores;
    for (const key of [
      'recall@1',
      'recall@5',
      'recall@10',
      'recall@20',
      'hit@10',
      'answer_token_recall',
    ] as const) {
      expect(keyword[key]).toBeGreaterThanOrEqual(0);
      expect(keyword[key]).toBeLessThanOrEqual(1);
    }
    expect(keyword['recall@20']).toBeGreaterThanOrEqual(keyword['recall@1']);
    expect(keyword.context_tokens).toBeGreaterThan(0);
    expect(Object.keys(keyword.by_category).length).toBeGreaterThan(0);
  }, 120_000);
});

describePostgres('LoCoMo retrieval harness on PostgreSQL', () => {
  it.skipIf(!existsSync(DATA))(
    'runs in a PostgreSQL store and scores the same questions',
    async () => {
      const { store, cleanup } = await postgresFixture();
      try {
        const options = { dataPath: DATA, conversations: [1], limit: 10, embedder: null, modes: ['keyword'] };
        const onPostgres = await runLocomoRetrieval({ ...options, store });
        const onSqlite = await runLocomoRetrieval(options);
        expect(onPostgres.questions).toBe(onSqlite.questions);
        const keyword = onPostgres.modes.keyword as ModeScores;
        expect(keyword['recall@20']).toBeGreaterThan(0);
        expect(keyword['recall@20']).toBeGreaterThanOrEqual(keyword['recall@1']);
        expect((await store.stats()).memories).toBeGreaterThan(100);
      } finally {
        await cleanup();
      }
    },
    120_000,
  );
});
