import { expect, it } from 'vitest';
import { type MakeFixture, T, useStore } from './conformance-kit.js';

/** Per-scope usage totals: accumulated, isolated per tenant and scope, cleared by reset. */
export function usageChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);
  it('adds up per scope and keeps tenants apart', async () => {
    const alice = { userId: 'alice', agentId: null, runId: null };
    await store().recordUsage(
      't1',
      alice,
      { llmCalls: 2, inputTokens: 100, outputTokens: 10, embedCalls: 1 },
      T,
    );
    await store().recordUsage(
      't1',
      alice,
      { llmCalls: 1, inputTokens: 50, outputTokens: 5, embedCalls: 2 },
      T,
    );
    await store().recordUsage(
      't1',
      { ...alice, userId: 'bob' },
      { llmCalls: 9, inputTokens: 9, outputTokens: 9, embedCalls: 9 },
      T,
    );
    await store().recordUsage(
      't2',
      alice,
      { llmCalls: 7, inputTokens: 7, outputTokens: 7, embedCalls: 7 },
      T,
    );
    expect(await store().usageTotals('t1', { userId: 'alice' })).toEqual([
      { ...alice, adds: 2, llmCalls: 3, inputTokens: 150, outputTokens: 15, embedCalls: 3, updatedAt: T },
    ]);
    expect(await store().usageTotals('t1', {})).toHaveLength(2);
    await store().reset('t1');
    expect(await store().usageTotals('t1', {})).toEqual([]);
    expect(await store().usageTotals('t2', {})).toHaveLength(1);
  });
}
