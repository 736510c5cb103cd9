import { MemoryError } from '../../spec/memory-error.js';
import type { InsertOutcome, NewMemory } from '../../spec/store.js';
import { partitionKey } from '../shared/partition-key.js';
import { newRecord } from '../shared/store-rows.js';
import type { PgQuery } from './pg-connection.js';
import type { PgMemoryReads } from './pg-memory-reads.js';
import { vectorLiteral } from './pg-sql.js';
import type { PgVectors } from './pg-vectors.js';

const scopeKey = (m: { userId: string | null; agentId: string | null; runId: string | null }, hash: string) =>
  `${m.userId ?? ''}\u001f${m.agentId ?? ''}\u001f${m.runId ?? ''}\u001f${hash}`;

/**
 * Inserts a list of new memories in a fixed number of statements (not one round trip per row
 * and table): the adds of `infer: false` and bulk loads. Same outcome as inserting them one by
 * one in order — a text already active in its scope (before, or earlier in the list) is not
 * inserted, and the memory that holds it comes back with `inserted: false` — and the same race
 * safety: the unique index on active texts decides (ON CONFLICT DO NOTHING), not a prior read.
 * Runs inside the caller's transaction.
 */
export async function insertMany(
  q: PgQuery,
  tenant: string,
  memories: NewMemory[],
  reads: PgMemoryReads,
  vectors: PgVectors,
): Promise<InsertOutcome[]> {
  if (memories.length === 0) return [];
  const seqs = (
    await q.rows<{ seq: number }>(
      `SELECT nextval(pg_get_serial_sequence('memory_versions', 'seq')) AS seq FROM generate_series(1, $1)`,
      [memories.length],
    )
  ).map((r) => r.seq);
  const partitions = memories.map((m) => partitionKey(tenant, m));
  const column = <T>(pick: (m: NewMemory, i: number) => T) => memories.map(pick);
  const inserted = new Set(
    (
      await q.rows<{ id: string }>(
        `INSERT INTO memories(id, tenant, partition_key, user_id, agent_id, run_id, actor_id, role, text, hash, metadata,
           categories, importance, memory_type, state, valid_from, created_at, updated_at, source, embedding_model,
           version, version_seq)
         SELECT r.id, $1, r.partition_key, r.user_id, r.agent_id, r.run_id, r.actor_id, r.role, r.text, r.hash,
           r.metadata, r.categories, r.importance, r.memory_type, 'active', r.valid_from, r.at, r.at, r.source,
           r.embedding_model, 1, r.version_seq
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
           $10::text[], $11::jsonb[], $12::jsonb[], $13::float8[], $14::text[], $15::timestamptz[], $16::timestamptz[],
           $17::jsonb[], $18::text[], $19::bigint[])
           WITH ORDINALITY AS r(id, partition_key, user_id, agent_id, run_id, actor_id, role, text, hash, metadata,
             categories, importance, memory_type, valid_from, at, source, embedding_model, version_seq, ord)
         ORDER BY r.ord
         ON CONFLICT (tenant, coalesce(user_id, ''), coalesce(agent_id, ''), coalesce(run_id, ''), hash)
           WHERE state = 'active' DO NOTHING
         RETURNING id`,
        [
          tenant,
          column((m) => m.id),
          partitions,
          column((m) => m.userId),
          column((m) => m.agentId),
          column((m) => m.runId),
          column((m) => m.actorId ?? null),
          column((m) => m.role ?? null),
          column((m) => m.text),
          column((m) => m.hash),
          column((m) => JSON.stringify(m.metadata)),
          column((m) => JSON.stringify(m.categories ?? [])),
          column((m) => m.importance),
          column((m) => m.memoryType),
          column((m) => m.validFrom),
          column((m) => m.at),
          column((m) => JSON.stringify(m.source ?? [])),
          column((m) => (m.embedding ? m.embeddingModel : null)),
          seqs,
        ],
      )
    ).map((r) => r.id),
  );
  const fresh = memories.flatMap((m, i) => (inserted.has(m.id) ? [{ m, i }] : []));
  if (fresh.length > 0) {
    await q.run(
      `INSERT INTO memory_versions(seq, memory_id, tenant, partition_key, version, text, hash, valid_from, created_at,
         embedding_model)
       SELECT r.seq, r.memory_id, $1, r.partition_key, 1, r.text, r.hash, r.valid_from, r.at, r.embedding_model
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
         $8::timestamptz[], $9::text[]) AS r(seq, memory_id, partition_key, text, hash, valid_from, at, embedding_model)`,
      [
        tenant,
        fresh.map(({ i }) => seqs[i]),
        fresh.map(({ m }) => m.id),
        fresh.map(({ i }) => partitions[i]),
        fresh.map(({ m }) => m.text),
        fresh.map(({ m }) => m.hash),
        fresh.map(({ m }) => m.validFrom),
        fresh.map(({ m }) => m.at),
        fresh.map(({ m }) => (m.embedding ? (m.embeddingModel ?? null) : null)),
      ],
    );
    const embedded = fresh.filter(({ m }) => m.embedding);
    if (embedded.length > 0) {
      await vectors.ensure(q, embedded[0]!.m.embedding!.length);
      const width = await vectors.dimensions(q);
      const odd = embedded.find(({ m }) => m.embedding!.length !== width);
      if (odd) await vectors.ensure(q, odd.m.embedding!.length); // throws dimension_mismatch
      await q.run(
        `INSERT INTO memory_vectors(version_seq, partition_key, embedding)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::vector[])`,
        [
          embedded.map(({ i }) => seqs[i]),
          embedded.map(({ i }) => partitions[i]),
          embedded.map(({ m }) => vectorLiteral(m.embedding!)),
        ],
      );
    }
    await q.run(
      `INSERT INTO history(tenant, memory_id, event, old_text, new_text, actor, reason, at, version)
       SELECT $1, r.memory_id, 'ADD', NULL, r.text, r.actor, r.reason, r.at, 1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) WITH ORDINALITY
         AS r(memory_id, text, actor, reason, at, ord)
       ORDER BY r.ord`,
      [
        tenant,
        fresh.map(({ m }) => m.id),
        fresh.map(({ m }) => m.text),
        fresh.map(({ m }) => m.actor ?? null),
        fresh.map(({ m }) => m.reason ?? null),
        fresh.map(({ m }) => m.at),
      ],
    );
  }
  // The rest hold a text already active in their scope: hand back the memory that holds it.
  const skipped = memories.filter((m) => !inserted.has(m.id));
  const holders = new Map<string, string>();
  if (skipped.length > 0) {
    const rows = await q.rows<{
      id: string;
      user_id: string | null;
      agent_id: string | null;
      run_id: string | null;
      hash: string;
    }>(
      `SELECT id, user_id, agent_id, run_id, hash FROM memories
       WHERE tenant = $1 AND state = 'active' AND hash = ANY($2::text[])`,
      [tenant, [...new Set(skipped.map((m) => m.hash))]],
    );
    for (const r of rows)
      holders.set(scopeKey({ userId: r.user_id, agentId: r.agent_id, runId: r.run_id }, r.hash), r.id);
  }
  const existing = new Map(
    (await reads.getMemories(q, tenant, [...new Set(holders.values())])).map((record) => [record.id, record]),
  );
  return memories.map((m) => {
    if (inserted.has(m.id)) return { record: newRecord(tenant, m), inserted: true };
    const record = existing.get(holders.get(scopeKey(m, m.hash)) ?? '');
    if (!record) throw new MemoryError('store_error', `Memory ${m.id} was neither inserted nor found.`);
    return { record, inserted: false };
  });
}
