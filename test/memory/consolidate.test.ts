import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import type { ChatModel, ChatRequest } from '../../src/spec/chat-model.js';
import type { Embedder } from '../../src/spec/embedder.js';
import { runInProcess } from '../support/cli-in-process.js';
import { dropSchema } from '../support/postgres.js';
import { storeVariants } from './memory-fixture.js';

/*
 * Vectors with known cosines: each text belongs to a family (a shared axis) with a weight c, and
 * puts the rest of its length on an axis of its own, so two texts of one family have cosine
 * c1·c2 and texts of different families 0. Default thresholds: same ≥ 0.95, ask ≥ 0.85.
 */
const FAMILIES: Record<string, [family: number, weight: number]> = {
  'Likes green tea': [0, 1],
  'likes green tea.': [0, 1], // equal normalised text
  'Enjoys green tea': [0, 0.97], // 0.97 with the first two: merged without the LLM
  'Is fond of green tea': [0, 0.9], // 0.9: the LLM is asked, says same
  'Drinks green tea every morning': [0, 0.9], // 0.9: the LLM is asked, says different
  'Lives in Paris': [1, 1],
  'Works as a nurse': [2, 1],
  'green tea': [0, 0.8], // a query
};
const DIMS = 32;

function familyEmbedder(): Embedder & { calls: number } {
  const own = new Map<string, number>();
  const embedder = {
    id: 'fake:families',
    maxEmbeddingsPerCall: 100,
    dimensions: DIMS,
    calls: 0,
    embed: async (texts: string[]) => {
      embedder.calls++;
      return {
        embeddings: texts.map((text) => {
          const spec = FAMILIES[text];
          if (!spec) throw new Error(`no vector for "${text}"`);
          if (!own.has(text)) own.set(text, 8 + own.size);
          const v = new Array<number>(DIMS).fill(0);
          v[spec[0]] = spec[1];
          v[own.get(text)!] = Math.sqrt(1 - spec[1] ** 2);
          return v;
        }),
      };
    },
  };
  return embedder;
}

/** Judges a pair "same" when one side is "Is fond of green tea"; records every prompt it gets. */
function judgeModel(): ChatModel & { prompts: string[] } {
  const model = {
    id: 'fake:judge',
    prompts: [] as string[],
    async complete(request: ChatRequest) {
      const prompt = request.messages.find((m) => m.role === 'user')!.content;
      model.prompts.push(prompt);
      const verdicts = [...prompt.matchAll(/^(\d+): A: (.*)\n {3}B: (.*)$/gm)].map((m) => ({
        pair: Number(m[1]),
        same: m[2] === 'Is fond of green tea' || m[3] === 'Is fond of green tea',
      }));
      return {
        text: JSON.stringify({ verdicts }),
        usage: { inputTokens: 100, outputTokens: 20, reported: true },
        model: 'fake',
      };
    },
  };
  return model;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function open(overrides: Record<string, unknown>, llm: ChatModel[] = [judgeModel()]) {
  const dir = mkdtempSync(join(tmpdir(), 'engram-consolidate-'));
  const embedder = familyEmbedder();
  const config = {
    embedder: null,
    llm: null,
    ...(overrides.store ? {} : { dbPath: join(dir, 'e.db') }),
    ...overrides,
  };
  const memory = new Memory(config, { embedder, llm, env: {}, cwd: dir });
  cleanups.push(async () => {
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
    const store = overrides.store as { provider?: string; schema?: string } | undefined;
    if (store?.provider === 'postgres' && store.schema) await dropSchema(store.schema);
  });
  return { memory, embedder };
}

async function seed(memory: Memory) {
  const add = async (text: string, day: number, extra: Record<string, unknown> = {}) =>
    (
      await memory.add(text, {
        userId: 'alice',
        infer: false,
        eventTime: `2024-01-${String(day).padStart(2, '0')}T00:00:00Z`,
        ...extra,
      })
    ).results[0]!.id;
  const ids = {
    base: await add('Likes green tea', 1, { importance: 0.9 }),
    lower: await add('likes green tea.', 2),
    enjoys: await add('Enjoys green tea', 3),
    fond: await add('Is fond of green tea', 9), // the newest statement: the survivor
    drinks: await add('Drinks green tea every morning', 4),
    paris: await add('Lives in Paris', 5),
    // Same texts in other scopes: never merged with alice's own.
    agentTea: await add('Likes green tea', 6, { agentId: 'bot' }),
    bobTea: await add('Likes green tea', 6, { userId: 'bob' }),
    bobEnjoys: await add('Enjoys green tea', 7, { userId: 'bob' }),
  };
  return ids;
}

describe.each(storeVariants())('consolidation (%s)', (_name, overrides) => {
  it('a dry run reports the groups and writes nothing; the LLM sees only the ambiguous band', async () => {
    const judge = judgeModel();
    const { memory } = open(overrides(), [judge]);
    const ids = await seed(memory);
    const before = await memory.getAll({ userId: 'alice' });

    const report = await memory.consolidate({ userId: 'alice', dryRun: true });
    expect(report).toMatchObject({ dryRun: true, compared: 7, groups: 1, merged: 3, kept: 4, llmCalls: 1 });
    expect(report.tokens).toEqual({ input: 100, output: 20 });
    expect(report.merges).toEqual([
      {
        survivor: { id: ids.fond, text: 'Is fond of green tea' },
        merged: expect.arrayContaining([
          expect.objectContaining({ id: ids.base, reason: `consolidated into ${ids.fond}: equal text` }),
          expect.objectContaining({ id: ids.lower }),
          expect.objectContaining({ id: ids.enjoys, reason: expect.stringMatching(/cosine 0\.970/) }),
        ]),
      },
    ]);
    const by = (kind: string) => report.pairs.filter((p) => p.decidedBy === kind).length;
    expect([by('text'), by('vector'), by('llm')]).toEqual([1, 2, 6]);
    expect(
      report.pairs.find((p) => [p.a.id, p.b.id].sort().join() === [ids.base, ids.drinks].sort().join()),
    ).toMatchObject({
      similarity: 0.9,
      decidedBy: 'llm',
      same: false,
    });

    // One call; the sure pairs (equal text, 0.97) never reach the model.
    expect(judge.prompts).toHaveLength(1);
    const shown = judge.prompts[0]!;
    expect(shown).toContain('Drinks green tea every morning');
    expect(shown).not.toMatch(/A: Likes green tea\n {3}B: Enjoys green tea/);
    expect(shown).not.toContain('Lives in Paris');

    const after = await memory.getAll({ userId: 'alice' });
    expect(after.results.map((m) => [m.id, m.state, m.version])).toEqual(
      before.results.map((m) => [m.id, m.state, m.version]),
    );
    expect((await memory.history(ids.base)).map((h) => h.event)).toEqual(['ADD']);
  });

  it('supersedes the duplicates by the newest statement, keeps their history and asOf view, never across scopes', async () => {
    const { memory } = open(overrides());
    const ids = await seed(memory);
    const between = '2024-01-05T12:00:00Z';
    const report = await memory.consolidate({ userId: 'alice' });
    expect(report).toMatchObject({ dryRun: false, groups: 1, merged: 3, kept: 4 });

    const active = await memory.getAll({ userId: 'alice' });
    expect(active.results.map((m) => m.memory).sort()).toEqual([
      'Drinks green tea every morning',
      'Is fond of green tea',
      'Likes green tea', // alice with the agent bot: another scope
      'Lives in Paris',
    ]);
    // The survivor carries the group's highest importance (in place: still version 1).
    const fond = await memory.get(ids.fond);
    expect(fond).toMatchObject({ importance: 0.9, version: 1, state: 'active' });

    for (const id of [ids.base, ids.lower, ids.enjoys]) {
      const merged = await memory.get(id);
      expect(merged).toMatchObject({ state: 'superseded', superseded_by: ids.fond });
      const [last] = await memory.history(id);
      expect(last).toMatchObject({
        event: 'INVALIDATE',
        actor: 'consolidation',
        reason: expect.stringMatching(new RegExp(`^consolidated into ${ids.fond}`)),
      });
    }
    // What was true before the consolidation is still what asOf shows.
    const all = await memory.getAll({ userId: 'alice', states: ['active', 'superseded'] });
    expect(all.results).toHaveLength(7);
    expect(await memory.get(ids.base, { asOf: between })).toMatchObject({ memory: 'Likes green tea' });
    const search = await memory.search('green tea', { userId: 'alice', asOf: between, limit: 20 });
    expect(search.results.map((r) => r.id)).toEqual(
      expect.arrayContaining([ids.base, ids.lower, ids.enjoys]),
    );

    // Other scopes untouched: bob's two teas (0.97) wait for bob's own run.
    expect((await memory.get(ids.bobEnjoys)).state).toBe('active');
    expect((await memory.get(ids.agentTea)).state).toBe('active');
    const bob = await memory.consolidate({ userId: 'bob' });
    expect(bob).toMatchObject({ merged: 1, llmCalls: 0 });
    expect((await memory.get(ids.bobTea)).superseded_by).toBe(ids.bobEnjoys);

    // A second run finds nothing more to merge (the two left are 0.81 apart: not even asked).
    expect(await memory.consolidate({ userId: 'alice' })).toMatchObject({
      merged: 0,
      groups: 0,
      llmCalls: 0,
    });
  });

  it('never merges across tenants', async () => {
    const { memory } = open(overrides());
    const other = memory.forTenant('acme');
    await memory.add('Likes green tea', { userId: 'alice', infer: false });
    const theirs = (await other.add('likes green tea.', { userId: 'alice', infer: false })).results[0]!.id;
    expect(await memory.consolidate({ userId: 'alice' })).toMatchObject({ compared: 1, merged: 0 });
    expect((await other.get(theirs)).state).toBe('active');
  });
});

describe('consolidation without an LLM or a scope', () => {
  it('merges the sure pairs, leaves the ambiguous band alone and says so', async () => {
    const { memory } = open({}, []);
    await seed(memory);
    const report = await memory.consolidate({ userId: 'alice' });
    expect(report).toMatchObject({ merged: 2, llmCalls: 0, undecided: 6 });
    expect(report.notes.join(' ')).toMatch(/no LLM configured: 6 pairs/);
  });

  it('honours maxMemories and sameAbove / askAbove from the config', async () => {
    const { memory } = open({ consolidation: { maxMemories: 2, sameAbove: 0.99, askAbove: 0.96 } });
    await seed(memory);
    const report = await memory.consolidate({ userId: 'alice' });
    // The newest two of alice's 7 (the agent's tea, Paris): different scopes, nothing to compare.
    expect(report).toMatchObject({ compared: 2, notCompared: 5, merged: 0 });
    expect(report.notes[0]).toMatch(/newest 2 of 7/);

    const { memory: strict } = open({ consolidation: { sameAbove: 0.99, askAbove: 0.96 } });
    await seed(strict);
    const sure = await strict.consolidate({ userId: 'alice', dryRun: true });
    // 0.97 is now in the ask band (the LLM says different), 0.9 below it.
    expect(sure.pairs.map((p) => p.decidedBy).sort()).toEqual(['llm', 'llm', 'text']);
    expect(sure.merged).toBe(1);
  });

  it('refuses to run without a scope', async () => {
    const { memory } = open({});
    await expect(memory.consolidate({})).rejects.toMatchObject({ code: 'scope_required' });
  });
});

describe('engram consolidate', () => {
  it('prints what it merged, --dry-run writes nothing, --json gives the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engram-consolidate-cli-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const env = { ENGRAM_DB: join(dir, 'x.db'), ENGRAM_EMBEDDER: 'none', ENGRAM_LLM: 'none' };
    const cli = (...args: string[]) => runInProcess(args, env, dir);
    for (const text of ['Likes green tea', 'likes green tea.', 'Lives in Paris']) {
      expect((await cli('add', text, '--user', 'alice', '--no-infer')).code).toBe(0);
    }
    const dry = await cli('consolidate', '--user', 'alice', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: compared 3 memories, would merge 1 into 1 groups; 2 stay active\./);
    expect(dry.stdout).toMatch(/would supersede/);
    // Not silent about what it could not do: no embedder means equal text only.
    expect(dry.stderr).toMatch(/no embedder configured: only memories with equal normalised text/);
    const json = await cli('consolidate', '--user', 'alice', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      dryRun: false,
      merged: 1,
      kept: 2,
      pairs: [{ decidedBy: 'text' }],
    });
    const list = JSON.parse((await cli('list', '--user', 'alice', '--json')).stdout) as {
      results: unknown[];
    };
    expect(list.results).toHaveLength(2);
    const none = await cli('consolidate');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/scope/);
  });
});
