import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EntityItem, RelationDetail } from '../../src/memory/graph/graph-items.js';
import type { Neighborhood } from '../../src/memory/graph/memory-graph.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { useCliWithEmbedder } from '../support/cli-fixture.js';
import { parseJson } from '../support/cli-runner.js';
import { renderSvg, svgTexts } from '../support/graphviz.js';
import { seedSisterGraph } from '../support/seed-graph.js';

const { cli, dir } = useCliWithEmbedder();

describe('engram graph', () => {
  beforeAll(async () => {
    // The fixture's database (ENGRAM_DB), written through the store as an add's graph step would.
    const store = new SqliteStore({ path: join(dir(), 'x.db') });
    await store.init();
    await seedSisterGraph(store, 'default', { userId: 'alice' });
    await store.close();
  });

  it('lists the relations that hold now, with their intervals, and counts the entities', async () => {
    const run = await cli('graph', '--user', 'alice');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain('Amy —lives_in→ Chicago  (2024-03-05 … now)');
    expect(lines).toContain('Amy —sister_of→ Sarah  (? … now)');
    expect(lines.at(-1)).toBe('5 entities, 3 relations.');
    const february = await cli('graph', '--user', 'alice', '--as-of', '2024-02-01');
    expect(february.stdout).toContain('Amy —lives_in→ Boston  (2024-01-10 … 2024-03-05)');
    expect(february.stdout).not.toContain('Chicago  (');
  });

  it('--dot prints a digraph that dot renders', async () => {
    const run = await cli('graph', '--user', 'alice', '--dot');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith('digraph ')).toBe(true);
    const texts = svgTexts(renderSvg(run.stdout));
    expect(texts).toEqual(
      expect.arrayContaining(['Amy', 'Sarah', 'Boston', 'Chicago', 'Acme', 'lives_in', 'works_at']),
    );
    const past = svgTexts(
      renderSvg((await cli('graph', '--user', 'alice', '--dot', '--as-of', '2024-02-01')).stdout),
    );
    expect(past).toContain('2024-01-10 … 2024-03-05');
  });

  it('--json prints {entities, relations}; with --entity, the neighbourhood', async () => {
    const all = parseJson<{ entities: EntityItem[]; relations: RelationDetail[] }>(
      await cli('graph', '--user', 'alice', '--json'),
    );
    expect(all.entities.map((e) => e.name).sort()).toEqual(['Acme', 'Amy', 'Boston', 'Chicago', 'Sarah']);
    expect(all.relations.map((r) => r.relationship).sort()).toEqual(['lives_in', 'sister_of', 'works_at']);

    const near = parseJson<Neighborhood>(
      await cli('graph', '--user', 'alice', '--entity', 'Amy', '--depth', '2', '--json'),
    );
    expect(near.entity.name).toBe('Amy');
    expect(near.entities.find((e) => e.name === 'Acme')).toMatchObject({ hops: 2 });

    const one = await cli('graph', '--user', 'alice', '--entity', 'Sarah');
    expect(one.stdout).toContain('Sarah —works_at→ Acme');
    expect(one.stdout.trimEnd().split('\n').at(-1)).toBe('Sarah (person): 2 neighbours, 2 relations.');
    const drawn = svgTexts(
      renderSvg((await cli('graph', '--user', 'alice', '--entity', 'Sarah', '--dot')).stdout),
    );
    expect(drawn).toEqual(expect.arrayContaining(['Sarah', 'Amy', 'Acme']));
    expect(drawn).not.toContain('Boston');
  });

  it('refuses --dot with --json, a bad --depth and an unknown entity, in one line each', async () => {
    const both = await cli('graph', '--user', 'alice', '--dot', '--json');
    expect(both.code).not.toBe(0);
    expect(both.stdout).toBe('');
    expect(both.stderr).toContain('--dot');
    expect(both.stderr).toContain('--json');
    for (const args of [
      ['--entity', 'Amy', '--depth', '3'],
      ['--depth', '2'],
      ['--entity', 'Zoe'],
    ]) {
      const run = await cli('graph', '--user', 'alice', ...args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect((await cli('graph', '--user', 'alice', '--entity', 'Zoe')).stderr).toContain('Zoe');
    expect((await cli('graph', '--user', 'alice', '--entity', 'Amy', '--depth', '3')).stderr).toContain(
      '--depth',
    );
  });
});
