import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { parseExport } from '../../src/transfer/export-format.js';
import type { Mem0ImportReport } from '../../src/transfer/mem0/mem0-import-report.js';
import { type ChromaServer, startChromaServer } from '../support/chroma-server.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir, parseJson } from '../support/cli-runner.js';

/*
 * mem0 Python's Chroma vector store on a real local Chroma server: records whose metadata is
 * mem0's payload (data, hash, created_at, user_id, …) and whose embedding is the memory's vector.
 */

const IDS = ['0b6f3a52-5f0e-4c52-9d7e-6a1b0f1e0001', '0b6f3a52-5f0e-4c52-9d7e-6a1b0f1e0002'];
const VECTORS = [
  [0.1, 0.2, 0.3, 0.4],
  [0.4, 0.3, 0.2, 0.1],
];

let chroma: ChromaServer;
let tmp: ReturnType<typeof makeTempDir>;

beforeAll(async () => {
  chroma = await startChromaServer();
  tmp = makeTempDir('engram-mem0-chroma-');
  const url = new URL(chroma.url);
  const client = new ChromaClient({ host: url.hostname, port: Number(url.port) });
  const collection = await client.createCollection({ name: 'mem0', embeddingFunction: null });
  await collection.add({
    ids: IDS,
    embeddings: VECTORS,
    metadatas: [
      {
        data: 'Prefers window seats',
        hash: 'h1',
        created_at: '2024-05-01T08:00:00.000001+00:00',
        updated_at: '2024-05-02T08:00:00+00:00',
        user_id: 'carol',
        run_id: 'trip-1',
        airline: 'KLM',
      },
      { data: 'Is vegetarian', hash: 'h2', created_at: '2024-05-03T08:00:00+00:00', user_id: 'carol' },
    ],
  });
}, 120_000);

afterAll(async () => {
  await chroma?.close();
  tmp?.remove();
});

describe('engram import --from-mem0 chroma:…', () => {
  it('imports the records of a Chroma collection, vectors kept when the model matches', async () => {
    const env = { ENGRAM_DB: `${tmp.dir}/a.db`, ENGRAM_LLM: 'none', ENGRAM_EMBEDDER: 'none' };
    const run = async () => {
      const result = await runInProcess(
        ['import', '--from-mem0', `chroma:${chroma.url}/mem0`, '--mem0-embedder', 'fake:model', '--json'],
        env,
        tmp.dir,
      );
      expect(result.code, result.stderr).toBe(0);
      return parseJson<Mem0ImportReport>(result);
    };
    const report = await run();
    expect(report.sources).toEqual([
      { source: `chroma:${chroma.url}/mem0`, memories: 2, historyRows: 0, messages: 0 },
    ]);
    expect(report.memories).toMatchObject({ imported: 2, active: 2 });
    expect(report.skipped).toEqual([]);
    expect(report.vectors.kept).toBe(2);

    const memory = new Memory({}, { env, cwd: tmp.dir });
    try {
      expect(await memory.get(IDS[0]!)).toMatchObject({
        memory: 'Prefers window seats',
        user_id: 'carol',
        run_id: 'trip-1',
        metadata: { airline: 'KLM' },
        created_at: '2024-05-01T08:00:00.000Z',
        updated_at: '2024-05-02T08:00:00.000Z',
      });
      expect((await memory.getAll({ userId: 'carol' })).results.map((r) => r.memory).sort()).toEqual([
        'Is vegetarian',
        'Prefers window seats',
      ]);
      const lines: string[] = [];
      await memory.data.export({ tenant: null, scope: null, withVectors: true }, (line) => {
        lines.push(line);
      });
      const bundles = parseExport(`${lines.join('\n')}\n`).rows.memories;
      for (const [i, memoryId] of IDS.entries()) {
        const bundle = bundles.find((b) => b.id === memoryId)!;
        expect(bundle.versions[0]!.embedding).toEqual(Array.from(Float32Array.from(VECTORS[i]!)));
      }
    } finally {
      await memory.close();
    }
    expect((await run()).memories).toMatchObject({ imported: 0, alreadyThere: 2 });
  });

  it('names the collection when it does not exist, and imports nothing', async () => {
    const env = { ENGRAM_DB: `${tmp.dir}/b.db`, ENGRAM_LLM: 'none', ENGRAM_EMBEDDER: 'none' };
    const result = await runInProcess(['import', '--from-mem0', `chroma:${chroma.url}/nope`], env, tmp.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Chroma at ${chroma.url} has no collection nope`);
  });
});
