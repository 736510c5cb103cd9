import { expect, it } from 'vitest';
import type { AuditStore, NewAuditEntry } from '../../src/spec/audit-log.js';
import { type MakeFixture, useStore } from './conformance-kit.js';

const entry = (overrides: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  tenant: 't1',
  at: '2024-01-01T00:00:00.000Z',
  keyId: 'k1',
  actor: 'key:k1',
  channel: 'rest',
  operation: 'memory.add',
  userId: 'alice',
  agentId: null,
  runId: null,
  targetIds: ['m1', 'm2'],
  counts: null,
  outcome: 'ok',
  ...overrides,
});

/** The audit log: batches appended in order, read newest first per tenant with filters and cursors, purged by age. */
export function auditChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);
  const audit = (): AuditStore => {
    const log = store().audit;
    if (!log) throw new Error('a store declaring "audit" has store.audit');
    return log;
  };

  it('appends a batch and reads it back newest first, every field as written', async () => {
    await audit().appendAudit([
      entry(),
      entry({
        at: '2024-01-02T00:00:00.000Z',
        keyId: null,
        actor: 'local:ops',
        channel: 'cli',
        operation: 'memory.erase',
        agentId: 'helper',
        runId: 'r1',
        targetIds: [],
        counts: { memories: 2, versions: 3 },
        outcome: 'ok',
      }),
    ]);
    await audit().appendAudit([entry({ at: '2024-01-03T00:00:00+02:00', outcome: 'not_found' })]);
    const { items, nextCursor } = await audit().listAudit('t1', { limit: 10 });
    expect(nextCursor).toBeNull();
    expect(items.map((e) => e.outcome)).toEqual(['not_found', 'ok', 'ok']);
    // Times come back as canonical UTC instants.
    expect(items[0]?.at).toBe('2024-01-02T22:00:00.000Z');
    const { id, ...erase } = items[1] ?? { id: '' };
    expect(typeof id).toBe('string');
    expect(erase).toEqual({
      tenant: 't1',
      at: '2024-01-02T00:00:00.000Z',
      keyId: null,
      actor: 'local:ops',
      channel: 'cli',
      operation: 'memory.erase',
      userId: 'alice',
      agentId: 'helper',
      runId: 'r1',
      targetIds: [],
      counts: { memories: 2, versions: 3 },
      outcome: 'ok',
    });
    expect(items[2]).toMatchObject({ targetIds: ['m1', 'm2'], counts: null, keyId: 'k1' });
  });

  it('filters by time, key, operation and scope, and pages with a cursor', async () => {
    await audit().appendAudit(
      Array.from({ length: 5 }, (_, i) =>
        entry({
          at: `2024-01-0${i + 1}T00:00:00.000Z`,
          keyId: i % 2 === 0 ? 'k1' : 'k2',
          operation: i < 3 ? 'memory.add' : 'memory.search',
          userId: i === 4 ? 'bob' : 'alice',
          targetIds: [`m${i}`],
        }),
      ),
    );
    const ids = async (query: Parameters<AuditStore['listAudit']>[1]) =>
      (await audit().listAudit('t1', query)).items.map((e) => e.targetIds[0]);
    expect(await ids({ limit: 10, since: '2024-01-02T00:00:00Z', until: '2024-01-04T00:00:00Z' })).toEqual([
      'm2',
      'm1',
    ]);
    expect(await ids({ limit: 10, keyId: 'k2' })).toEqual(['m3', 'm1']);
    expect(await ids({ limit: 10, operation: 'memory.search' })).toEqual(['m4', 'm3']);
    expect(await ids({ limit: 10, userId: 'bob' })).toEqual(['m4']);
    expect(await ids({ limit: 10, agentId: 'helper' })).toEqual([]);

    const first = await audit().listAudit('t1', { limit: 2 });
    expect(first.items.map((e) => e.targetIds[0])).toEqual(['m4', 'm3']);
    expect(first.nextCursor).not.toBeNull();
    const second = await audit().listAudit('t1', { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((e) => e.targetIds[0])).toEqual(['m2', 'm1']);
    const third = await audit().listAudit('t1', { limit: 2, cursor: second.nextCursor ?? undefined });
    expect(third.items.map((e) => e.targetIds[0])).toEqual(['m0']);
    expect(third.nextCursor).toBeNull();
  });

  it('keeps tenants apart: a tenant reads and purges only its own entries', async () => {
    await audit().appendAudit([entry(), entry({ tenant: 't2', targetIds: ['other'] })]);
    const t1 = await audit().listAudit('t1', { limit: 10 });
    expect(t1.items.map((e) => e.targetIds)).toEqual([['m1', 'm2']]);
    expect((await audit().listAudit('t3', { limit: 10 })).items).toEqual([]);
    expect(await audit().purgeAudit('t2', '2030-01-01T00:00:00Z')).toBe(1);
    expect((await audit().listAudit('t1', { limit: 10 })).items).toHaveLength(1);
  });

  it('purges entries older than a time, for one tenant or all; reset and erasure keep the log', async () => {
    await audit().appendAudit([
      entry({ at: '2024-01-01T00:00:00.000Z' }),
      entry({ at: '2024-02-01T00:00:00.000Z' }),
      entry({ tenant: 't2', at: '2024-01-01T00:00:00.000Z' }),
    ]);
    await store().reset('t1');
    await store().eraseScope('t1', { userId: 'alice' });
    expect((await audit().listAudit('t1', { limit: 10 })).items).toHaveLength(2);
    expect(await audit().purgeAudit(null, '2024-01-15T00:00:00Z')).toBe(2);
    const left = await audit().listAudit('t1', { limit: 10 });
    expect(left.items.map((e) => e.at)).toEqual(['2024-02-01T00:00:00.000Z']);
    expect((await audit().listAudit('t2', { limit: 10 })).items).toEqual([]);
  });

  it('refuses bad queries and non-numeric counts with invalid_input', async () => {
    await expect(audit().listAudit('t1', { limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(audit().listAudit('t1', { limit: 10, since: 'yesterday' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(audit().listAudit('t1', { limit: 10, cursor: 'nope' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      audit().appendAudit([entry({ counts: { memories: 'text' as unknown as number } })]),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await audit().listAudit('t1', { limit: 10 })).items).toEqual([]);
  });
}
