import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import type { EntityItem, RelationDetail } from '../../src/memory/graph/graph-items.js';
import type { Neighborhood } from '../../src/memory/graph/memory-graph.js';
import { entity, JAN_10, MAR_05, relation, seedSisterGraph, writeGraph } from '../support/seed-graph.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

const triples = (relations: RelationDetail[]) =>
  relations.map((r) => `${r.source} ${r.relationship} ${r.destination}`).sort();

describe('GET /graph/*', () => {
  let f: ServerFixture;
  let helperKey: string;
  beforeEach(async () => {
    f = await serverFixture();
    await seedSisterGraph(f.store, 'A', { userId: 'alice' });
    const bob = entity('Bob', 'person');
    const tea = entity('Tea', 'thing');
    await writeGraph(f.store, 'A', { userId: 'bob' }, [bob, tea], [relation(bob, 'likes', tea)]);
    const helper = entity('helper', 'other');
    const rome = entity('Rome', 'place');
    await writeGraph(f.store, 'A', { agentId: 'helper' }, [helper, rome], [relation(helper, 'serves', rome)]);
    helperKey = (await issueApiKey(f.store, { tenant: 'A', agentId: 'helper' })).key;
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it("lists a scope's entities and its relations that hold now", async () => {
    const entities = await call(f.app, 'GET', '/graph/entities?user_id=alice', f.keys.userA);
    expect(entities.status).toBe(200);
    const list = (entities.json as { results: EntityItem[] }).results;
    expect(list.map((e) => e.name).sort()).toEqual(['Acme', 'Amy', 'Boston', 'Chicago', 'Sarah']);
    expect(list.find((e) => e.name === 'Acme')).toMatchObject({ type: 'organisation', aliases: [] });

    const now = await call(f.app, 'GET', '/graph/relations?user_id=alice', f.keys.userA);
    expect(now.status).toBe(200);
    expect(triples((now.json as { results: RelationDetail[] }).results)).toEqual([
      'Amy lives_in Chicago',
      'Amy sister_of Sarah',
      'Sarah works_at Acme',
    ]);
    const limited = await call(f.app, 'GET', '/graph/relations?user_id=alice&limit=1', f.keys.userA);
    expect((limited.json as { results: RelationDetail[] }).results).toHaveLength(1);
  });

  it('as_of returns the relation that held then, closed at the move', async () => {
    const feb = await call(
      f.app,
      'GET',
      '/graph/relations?user_id=alice&entity=Amy&as_of=2024-02-01T00:00:00Z',
      f.keys.userA,
    );
    expect(feb.status).toBe(200);
    const results = (feb.json as { results: RelationDetail[] }).results;
    expect(results.find((r) => r.relationship === 'lives_in')).toMatchObject({
      source: 'Amy',
      destination: 'Boston',
      valid_from: JAN_10,
      valid_to: MAR_05,
    });
    expect(results.map((r) => r.destination)).not.toContain('Chicago');
  });

  it('walks one or two hops from an entity', async () => {
    const one = await call(f.app, 'GET', '/graph/neighbors?user_id=alice&entity=Amy', f.keys.userA);
    expect(one.status).toBe(200);
    const near = one.json as Neighborhood;
    expect(near.entity.name).toBe('Amy');
    expect(near.entities.map((e) => [e.name, e.hops]).sort()).toEqual([
      ['Chicago', 1],
      ['Sarah', 1],
    ]);
    const two = (await call(f.app, 'GET', '/graph/neighbors?user_id=alice&entity=amy&depth=2', f.keys.userA))
      .json as Neighborhood;
    expect(two.entities.find((e) => e.name === 'Acme')).toMatchObject({ hops: 2 });
    expect(triples(two.relations)).toContain('Sarah works_at Acme');
  });

  it('an unknown entity is 404 not_found naming it', async () => {
    for (const path of [
      '/graph/neighbors?user_id=alice&entity=Zoe',
      '/graph/relations?user_id=alice&entity=Zoe',
    ]) {
      const res = await call(f.app, 'GET', path, f.keys.userA);
      expect(res.status, path).toBe(404);
      const body = res.json as ErrorBody;
      expect(body.error).toMatchObject({ code: 'not_found', details: { entity: 'Zoe' } });
      expect(body.error.message).toContain('Zoe');
    }
  });

  it('a bad depth, limit or field is 400 naming the field', async () => {
    for (const [query, field] of [
      ['user_id=alice&entity=Amy&depth=3', 'depth'],
      ['user_id=alice&entity=Amy&depth=0', 'depth'],
      ['user_id=alice&entity=Amy&depth=two', 'depth'],
      ['user_id=alice', 'entity'],
      ['user_id=alice&entity=Amy&dept=2', '(root)'],
    ] as const) {
      const res = await call(f.app, 'GET', `/graph/neighbors?${query}`, f.keys.userA);
      expect(res.status, query).toBe(400);
      const body = res.json as { error: { code: string; details: { fields: { path: string }[] } } };
      expect(body.error.code).toBe('invalid_input');
      expect(body.error.details.fields.map((x) => x.path)).toContain(field);
    }
    const limit = await call(f.app, 'GET', '/graph/relations?user_id=alice&limit=0', f.keys.userA);
    expect(limit.status).toBe(400);
    const asOf = await call(f.app, 'GET', '/graph/relations?user_id=alice&as_of=yesterday', f.keys.userA);
    expect(asOf.status).toBe(400);
    expect((asOf.json as ErrorBody).error.code).toBe('invalid_input');
    const noScope = await call(f.app, 'GET', '/graph/entities', f.keys.userA);
    expect(noScope.status).toBe(400);
    expect((noScope.json as ErrorBody).error.code).toBe('scope_required');
  });

  it("a key pinned to a user reads only that user's graph", async () => {
    for (const path of [
      '/graph/entities?user_id=bob',
      '/graph/relations?user_id=bob',
      '/graph/neighbors?user_id=bob&entity=Bob',
    ]) {
      const res = await call(f.app, 'GET', path, f.keys.pinnedAlice);
      expect(res.status, path).toBe(403);
      expect(res.json).toMatchObject({
        error: { code: 'scope_forbidden', details: { field: 'user_id', pinned: 'alice' } },
      });
    }
    // Without a user_id the pin names the graph.
    const own = await call(f.app, 'GET', '/graph/relations', f.keys.pinnedAlice);
    expect(own.status).toBe(200);
    expect(triples((own.json as { results: RelationDetail[] }).results)).toContain('Amy lives_in Chicago');
  });

  it("a key pinned to an agent is refused a user's graph and reads its own", async () => {
    for (const path of [
      '/graph/entities?user_id=alice',
      '/graph/relations?user_id=alice',
      '/graph/neighbors?user_id=alice&entity=Amy',
      '/graph/relations?user_id=alice&agent_id=helper',
    ]) {
      const res = await call(f.app, 'GET', path, helperKey);
      expect(res.status, path).toBe(403);
      expect((res.json as ErrorBody).error.code).toBe('scope_forbidden');
    }
    const own = await call(f.app, 'GET', '/graph/relations', helperKey);
    expect(own.status).toBe(200);
    expect(triples((own.json as { results: RelationDetail[] }).results)).toEqual(['helper serves Rome']);
  });

  it("another tenant's key sees none of it", async () => {
    const res = await call(f.app, 'GET', '/graph/entities?user_id=alice', f.keys.adminB);
    expect(res.status).toBe(200);
    expect((res.json as { results: EntityItem[] }).results).toEqual([]);
    const near = await call(f.app, 'GET', '/graph/neighbors?user_id=alice&entity=Amy', f.keys.adminB);
    expect(near.status).toBe(404);
  });

  it('lists the routes in the OpenAPI document and on /docs', async () => {
    const doc = (await call(f.app, 'GET', '/openapi.json', null)).json as {
      paths: Record<string, { get?: { parameters?: { name: string; required: boolean }[] } }>;
    };
    for (const path of ['/graph/entities', '/graph/relations', '/graph/neighbors']) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
    const params = doc.paths['/graph/neighbors']?.get?.parameters ?? [];
    expect(params.find((p) => p.name === 'entity')).toMatchObject({ required: true });
    expect(params.find((p) => p.name === 'depth')).toMatchObject({ required: false });
    const page = await call(f.app, 'GET', '/docs', null);
    expect(String(page.json)).toContain('/graph/neighbors');
  });
});
