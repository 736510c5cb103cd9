import type { Migration } from './migrations.js';

/** Migration 2: the outbox of derived vector indexes (spec/index-outbox.ts). */
export const OUTBOX_MIGRATION: Migration = {
  version: 2,
  name: 'index_outbox',
  sql: `
-- Derived vector indexes (Qdrant, Chroma) and the outbox that feeds them (spec/index-outbox.ts).
-- The triggers add one row per registered index whenever a memory's indexed point may have
-- changed, in the writing transaction; with no index registered they insert nothing. Rows are
-- deleted once applied, so a row committed late by a concurrent writer is simply seen late.
CREATE TABLE derived_indexes (
name text PRIMARY KEY,
built boolean NOT NULL DEFAULT false,
dimensions integer,
last_error text,
failures integer NOT NULL DEFAULT 0,
holder text,
lease_until timestamptz,
registered_at timestamptz NOT NULL,
updated_at timestamptz NOT NULL
);
CREATE TABLE index_outbox (
id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
index_name text NOT NULL REFERENCES derived_indexes(name) ON DELETE CASCADE,
tenant text NOT NULL,
memory_id text NOT NULL,
created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX index_outbox_by_index ON index_outbox(index_name, id);

CREATE FUNCTION engram_outbox_memory() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
IF TG_OP = 'DELETE' THEN
  INSERT INTO index_outbox(index_name, tenant, memory_id) SELECT name, OLD.tenant, OLD.id FROM derived_indexes;
ELSE
  INSERT INTO index_outbox(index_name, tenant, memory_id) SELECT name, NEW.tenant, NEW.id FROM derived_indexes;
END IF;
RETURN NULL;
END $$;
CREATE TRIGGER memories_outbox AFTER INSERT OR DELETE OR UPDATE OF state, version, version_seq, user_id, agent_id, run_id
ON memories FOR EACH ROW EXECUTE FUNCTION engram_outbox_memory();

-- A vector set or dropped later (reindex, a re-embedding import) changes the point too.
CREATE FUNCTION engram_outbox_vector() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
INSERT INTO index_outbox(index_name, tenant, memory_id)
SELECT d.name, v.tenant, v.memory_id FROM derived_indexes d JOIN memory_versions v
  ON v.seq = CASE WHEN TG_OP = 'DELETE' THEN OLD.version_seq ELSE NEW.version_seq END;
RETURN NULL;
END $$;
CREATE TRIGGER memory_vectors_outbox AFTER INSERT OR UPDATE OR DELETE ON memory_vectors
FOR EACH ROW EXECUTE FUNCTION engram_outbox_vector();
`,
};
