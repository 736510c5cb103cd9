import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/config/engram-config.js';
import { decideVectors } from '../../src/transfer/mem0/decide-vectors.js';
import { parseSessionScope } from '../../src/transfer/mem0/mem0-messages.js';
import type { Mem0HistoryRow, Mem0SourceData } from '../../src/transfer/mem0/mem0-records.js';
import { normalizeTime } from '../../src/transfer/mem0/mem0-time.js';
import { mem0ToBundles } from '../../src/transfer/mem0/mem0-to-bundles.js';

/* How mem0's rows become engram's, without a database: times, scopes, replayed histories, vectors. */

const ctx = { tenant: 't', limits: DEFAULT_LIMITS, unscopedInto: null, now: '2030-01-01T00:00:00.000Z' };
const row = (memoryId: string, event: string, fields: Partial<Mem0HistoryRow> = {}): Mem0HistoryRow => ({
  memoryId,
  event,
  oldText: null,
  newText: null,
  createdAt: null,
  updatedAt: null,
  actorId: null,
  role: null,
  ...fields,
});
const source = (parts: Partial<Mem0SourceData>): Mem0SourceData => ({
  label: 'src',
  points: null,
  history: null,
  messages: [],
  ...parts,
});

describe('normalizeTime', () => {
  it('reads both mem0s’ timestamps as UTC ISO with milliseconds', () => {
    expect(normalizeTime('2024-07-17T12:34:56.789Z')).toBe('2024-07-17T12:34:56.789Z');
    expect(normalizeTime('2024-07-17T12:34:56.789012-07:00')).toBe('2024-07-17T19:34:56.789Z');
    expect(normalizeTime('2024-07-17T12:34:56+0530')).toBe('2024-07-17T07:04:56.000Z');
    expect(normalizeTime('2024-07-17 12:34:56')).toBe('2024-07-17T12:34:56.000Z');
    expect(normalizeTime('2024-07-17T12:34')).toBe('2024-07-17T12:34:00.000Z');
    expect(normalizeTime(1_721_219_696)).toBe('2024-07-17T12:34:56.000Z');
    expect(normalizeTime(1_721_219_696_000)).toBe('2024-07-17T12:34:56.000Z');
    for (const bad of [null, undefined, '', 'yesterday', '2024-13-45T99:00:00Z', {}])
      expect(normalizeTime(bad)).toBeNull();
  });
});

describe('parseSessionScope', () => {
  it('reads mem0’s sorted, %-escaped scope and refuses anything else', () => {
    expect(parseSessionScope('agent_id=bot&run_id=r%3D1&user_id=a%26b')).toEqual({
      userId: 'a&b',
      agentId: 'bot',
      runId: 'r=1',
    });
    for (const bad of [null, '', 'user=alice', 'user_id=%E0%A4%A']) expect(parseSessionScope(bad)).toBeNull();
  });
});

describe('mem0ToBundles', () => {
  it('replays a history that starts with an update, and a later text in the vector store', () => {
    const out = mem0ToBundles(
      [
        source({
          points: [
            { id: 'm', payload: { data: 'C', user_id: 'u', updatedAt: '2024-01-03T00:00:00Z' }, vector: [1] },
          ],
          history: [
            row('m', 'UPDATE', {
              oldText: 'A',
              newText: 'B',
              createdAt: '2024-01-01T00:00:00Z',
              updatedAt: '2024-01-02T00:00:00Z',
            }),
          ],
        }),
      ],
      ctx,
    );
    const b = out.memories[0]!.bundle;
    expect(b.versions.map((v) => [v.text, v.validFrom, v.validTo])).toEqual([
      ['A', '2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'],
      ['B', '2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z'],
      ['C', '2024-01-03T00:00:00.000Z', null],
    ]);
    expect(b.history.map((h) => [h.event, h.oldText, h.newText, h.version])).toEqual([
      ['ADD', null, 'A', 1],
      ['UPDATE', 'A', 'B', 2],
      ['UPDATE', 'B', 'C', 3],
    ]);
    expect(b.history[2]!.reason).toContain('its vector store holds a later text than its history');
    expect(b).toMatchObject({ state: 'active', version: 3, createdAt: '2024-01-01T00:00:00.000Z' });
  });

  it('keeps a memory the vector store still holds active, ignoring a DELETE row for it', () => {
    const out = mem0ToBundles(
      [
        source({
          points: [
            {
              id: 'm',
              payload: { data: 'A', agent_id: 'bot', createdAt: '2024-01-01T00:00:00Z' },
              vector: null,
            },
          ],
          history: [
            row('m', 'ADD', { newText: 'A', createdAt: '2024-01-01T00:00:00Z' }),
            row('m', 'DELETE', { oldText: 'A' }),
          ],
        }),
      ],
      ctx,
    );
    expect(out.memories[0]!.bundle.state).toBe('active');
    expect(out.ignoredDeletes).toBe(1);
  });

  it('a metadata-only update is an event, not a version; a deleted memory closes every version', () => {
    const out = mem0ToBundles(
      [
        source({
          history: [
            row('m', 'ADD', { newText: 'A', createdAt: '2024-01-01T00:00:00Z' }),
            row('m', 'UPDATE', { oldText: 'A', newText: 'A', updatedAt: '2024-01-02T00:00:00Z' }),
            row('m', 'UPDATE', { oldText: 'A', newText: 'B', updatedAt: '2024-01-03T00:00:00Z' }),
            row('m', 'DELETE', { oldText: 'B' }),
          ],
        }),
      ],
      { ...ctx, unscopedInto: { userId: 'u', agentId: null, runId: null } },
    );
    const b = out.memories[0]!.bundle;
    expect(b.versions.map((v) => [v.text, v.indexed])).toEqual([
      ['A', false],
      ['B', false],
    ]);
    expect(b.history.map((h) => [h.event, h.version, h.at])).toEqual([
      ['ADD', 1, '2024-01-01T00:00:00.000Z'],
      ['UPDATE', 1, '2024-01-02T00:00:00.000Z'],
      ['UPDATE', 2, '2024-01-03T00:00:00.000Z'],
      ['DELETE', 2, '2024-01-03T00:00:00.000Z'],
    ]);
    expect(b).toMatchObject({ state: 'deleted', expiredAt: '2024-01-03T00:00:00.000Z', userId: 'u' });
    expect(b.versions[1]!.expiredAt).toBe('2024-01-03T00:00:00.000Z');
    expect(out.estimatedTimes).toBe(1);
  });

  it('skips what the history knows but a given vector store does not, and bad scopes', () => {
    const out = mem0ToBundles(
      [
        source({
          points: [{ id: 'x', payload: { data: 'A', user_id: ' ' }, vector: null }],
          history: [row('gone', 'ADD', { newText: 'A' })],
        }),
      ],
      ctx,
    );
    expect(out.memories).toEqual([]);
    expect(out.skipped.map((s) => [s.code, s.id])).toEqual([
      ['invalid_scope', 'x'],
      ['not_in_vector_store', 'gone'],
    ]);
  });
});

describe('decideVectors', () => {
  const built = (widths: number[]) =>
    mem0ToBundles(
      [
        source({
          points: widths.map((w, i) => ({
            id: `m${i}`,
            payload: { data: `fact ${i}`, user_id: 'u' },
            vector: Array.from({ length: w }, () => 1),
          })),
        }),
      ],
      ctx,
    ).memories;
  const target = { id: 'openai:text-embedding-3-small', dimensions: 4 };
  const base = { sourceEmbedder: 'text-embedding-3-small', target, storeModel: null, storeWidth: null };

  it('keeps vectors of the configured model (named with or without its provider) at its width', () => {
    expect(decideVectors(built([4, 4]), base)).toMatchObject({
      keep: true,
      model: 'openai:text-embedding-3-small',
    });
  });

  it('says why it does not', () => {
    expect(decideVectors(built([4, 3]), base).reason).toBe(
      "the source's vectors have different widths (4, 3)",
    );
    expect(decideVectors(built([3]), base).reason).toBe(
      'they have 3 dimensions, the configured embedder openai:text-embedding-3-small 4',
    );
    expect(decideVectors(built([4]), { ...base, storeModel: 'ollama:x' }).reason).toBe(
      'the store already holds vectors of ollama:x',
    );
    expect(decideVectors(built([4]), { ...base, storeWidth: 8 }).reason).toBe(
      "the store's vectors have 8 dimensions, the source's 4",
    );
    expect(decideVectors([], base).reason).toBe('the source holds no vectors for the imported memories');
  });
});
