import { expect, it } from 'vitest';
import type { Filter } from '../../src/spec/filter.js';
import type { NewMemory } from '../../src/spec/store.js';
import { f, type MakeFixture, newMemory, useStore } from './conformance-kit.js';

/**
 * Filters mean the same on every backend: record fields, metadata (nested keys, null and
 * missing, lists, ranges, containment) and the logic around them, through listMemories and both
 * search legs. Mixed-type comparisons (a range over a key holding text in one memory and a
 * number in another) are left out: backends may order types differently.
 */
export function filterChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  const rows: Record<string, NewMemory> = {
    a: newMemory('alpha note', {
      importance: 0.9,
      memoryType: 'episodic',
      categories: ['work', 'travel'],
      metadata: {
        n: 1,
        tag: 'red',
        tags: ['x', 'y'],
        nested: { deep: 'yes' },
        flag: true,
        day: '2024-01-15',
      },
      at: '2024-01-01T00:00:00.000Z',
    }),
    b: newMemory('bravo note', {
      importance: 0.2,
      categories: ['home'],
      metadata: { n: 5, tag: 'blue', tags: ['y'], note: 'a long remark', flag: false, day: '2024-03-01' },
      at: '2024-02-01T00:00:00.000Z',
    }),
    c: newMemory('charlie note', {
      importance: 0.5,
      memoryType: 'procedural',
      metadata: { n: 10, tag: null, nested: { deep: 'no' } },
      at: '2024-03-01T00:00:00.000Z',
    }),
    d: newMemory('delta note', { userId: 'bob', metadata: { n: 1, tag: 'red' } }),
  };
  const names = new Map(Object.entries(rows).map(([name, m]) => [m.id, name]));

  async function matching(filter: Filter): Promise<string[]> {
    await store().insertMemories('t1', Object.values(rows));
    const page = await store().listMemories('t1', { filter: f(filter), states: ['active'], limit: 50 });
    return page.items.map((m) => names.get(m.id) ?? '?').sort();
  }
  const alice = (more: Record<string, unknown>): Filter => ({ user_id: 'alice', ...more }) as Filter;

  it('compares record fields: importance, memory type, categories, creation time', async () => {
    expect(await matching(alice({ importance: { gte: 0.5 } }))).toEqual(['a', 'c']);
    expect(await matching(alice({ importance: { lt: 0.5 } }))).toEqual(['b']);
    expect(await matching(alice({ memory_type: { in: ['episodic', 'procedural'] } }))).toEqual(['a', 'c']);
    expect(await matching(alice({ memory_type: { ne: 'semantic' } }))).toEqual(['a', 'c']);
    expect(await matching(alice({ categories: { contains: 'travel' } }))).toEqual(['a']);
    expect(await matching(alice({ created_at: { gte: '2024-02-01T00:00:00.000Z' } }))).toEqual(['b', 'c']);
    expect(await matching(alice({ created_at: { lt: '2024-02-01T00:00:00Z' } }))).toEqual(['a']);
  });

  it('compares metadata: equality, lists, ranges, nested keys, null and missing', async () => {
    expect(await matching(alice({ 'metadata.tag': 'red' }))).toEqual(['a']);
    expect(await matching({ 'metadata.tag': 'red' } as Filter)).toEqual(['a', 'd']);
    expect(await matching(alice({ 'metadata.n': { gt: 1 } }))).toEqual(['b', 'c']);
    expect(await matching(alice({ 'metadata.n': { lte: 5 } }))).toEqual(['a', 'b']);
    expect(await matching(alice({ 'metadata.n': { in: [1, 10] } }))).toEqual(['a', 'c']);
    expect(await matching(alice({ 'metadata.tag': { nin: ['red'] } }))).toEqual(['b', 'c']);
    expect(await matching(alice({ 'metadata.tag': { ne: 'red' } }))).toEqual(['b', 'c']);
    // JSON null and a missing key are both null.
    expect(await matching(alice({ 'metadata.tag': null }))).toEqual(['c']);
    expect(await matching(alice({ 'metadata.note': null }))).toEqual(['a', 'c']);
    expect(await matching(alice({ 'metadata.note': { ne: null } }))).toEqual(['b']);
    expect(await matching(alice({ 'metadata.nested.deep': 'yes' }))).toEqual(['a']);
    expect(await matching(alice({ 'metadata.flag': true }))).toEqual(['a']);
    expect(await matching(alice({ 'metadata.flag': false }))).toEqual(['b']);
  });

  it('contains: membership in a metadata list, a substring of metadata text', async () => {
    expect(await matching(alice({ 'metadata.tags': { contains: 'y' } }))).toEqual(['a', 'b']);
    expect(await matching(alice({ 'metadata.tags': { contains: 'x' } }))).toEqual(['a']);
    expect(await matching(alice({ 'metadata.note': { contains: 'long' } }))).toEqual(['b']);
    expect(await matching(alice({ 'metadata.n': { contains: 'long' } }))).toEqual([]);
  });

  it('icontains: contains without regard to case; "*": the field is set', async () => {
    expect(await matching(alice({ 'metadata.note': { icontains: 'LONG' } }))).toEqual(['b']);
    expect(await matching(alice({ 'metadata.tags': { icontains: 'Y' } }))).toEqual(['a', 'b']);
    expect(await matching(alice({ 'metadata.n': { icontains: '1' } }))).toEqual([]);
    expect(await matching(alice({ categories: { icontains: 'TRAVEL' } }))).toEqual(['a']);
    expect(await matching(alice({ memory_type: { icontains: 'PROC' } }))).toEqual(['c']);
    expect(await matching(alice({ 'metadata.tag': '*' }))).toEqual(['a', 'b']);
    expect(await matching(alice({ 'metadata.nested.deep': '*' }))).toEqual(['a', 'c']);
    expect(await matching({ user_id: '*', 'metadata.n': 1 } as Filter)).toEqual(['a', 'd']);
    expect(await matching({ user_id: '*', NOT: { user_id: 'alice' } } as Filter)).toEqual(['d']);
  });

  it('orders metadata days as text; NOT of a range keeps memories without the key (expiry)', async () => {
    expect(await matching(alice({ 'metadata.day': { lt: '2024-02-01' } }))).toEqual(['a']);
    expect(await matching(alice({ NOT: { 'metadata.day': { lt: '2024-02-01' } } }))).toEqual(['b', 'c']);
  });

  it('combines conditions with AND, OR and NOT', async () => {
    expect(
      await matching({
        AND: [{ user_id: 'alice' }, { OR: [{ 'metadata.tag': 'blue' }, { importance: { gte: 0.9 } }] }],
      } as Filter),
    ).toEqual(['a', 'b']);
    expect(
      await matching({ AND: [{ user_id: 'alice' }, { NOT: { 'metadata.tag': 'red' } }] } as Filter),
    ).toEqual(['b', 'c']);
    expect(await matching({ OR: [{ user_id: 'bob' }, { 'metadata.n': 10 }] } as Filter)).toEqual(['c', 'd']);
  });

  it('applies the same filter in both search legs', async () => {
    await store().insertMemories('t1', Object.values(rows));
    const filter = f(alice({ 'metadata.n': { gte: 5 } }));
    const text = await store().textSearch('t1', 'note', { filter, limit: 10 });
    expect(text.map((h) => names.get(h.id)).sort()).toEqual(['b', 'c']);
    const vector = await store().vectorSearch('t1', rows.a!.embedding!, { filter, limit: 10 });
    expect(vector.map((h) => names.get(h.id)).sort()).toEqual(['b', 'c']);
  });
}
