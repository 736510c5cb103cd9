import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';
import { type FakeQdrant, startFakeQdrant } from '../support/fake-qdrant.js';

let tmp: ReturnType<typeof makeTempDir>;
let ollama: FakeOllama;
let qdrant: FakeQdrant;

beforeAll(async () => {
  tmp = makeTempDir('engram-cli-index-');
  ollama = await startFakeOllama();
  qdrant = await startFakeQdrant();
});

afterAll(async () => {
  await qdrant?.close();
  await ollama?.close();
  tmp?.remove();
});

describe('engram index / reindex --index', () => {
  it('feeds Qdrant from the CLI, shows the status, rebuilds, and unregisters an index no longer configured', async () => {
    const db = join(tmp.dir, 'cli.db');
    const plain = {
      ENGRAM_LLM: 'none',
      ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
      OLLAMA_BASE_URL: ollama.url,
    };
    const env = { ...plain, ENGRAM_INDEX: 'qdrant', ENGRAM_INDEX_URL: qdrant.url };
    const run = (args: string[], with_: Record<string, string> = env) =>
      runInProcess([...args, '--db', db], with_, tmp.dir);

    const none = await run(['index', 'status'], plain);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/No derived index is registered/);

    for (const text of ['Alice likes tea', 'Alice has a cat', 'Alice lives in Porto']) {
      const add = await run(['add', text, '--user', 'alice', '--no-infer']);
      expect(add.code, add.stderr).toBe(0);
    }
    // Each CLI process fed the index before it exited.
    expect(qdrant.points('engram')).toHaveLength(3);

    const status = await run(['index', 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      /qdrant\s+yes\s+0\s+-\s+3\s+0\s+qdrant http:\/\/127\.0\.0\.1:\d+ collection engram/,
    );

    const rebuilt = await run(['reindex', '--index', 'qdrant', '--json']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toEqual({ provider: 'qdrant', points: 3 });
    expect(rebuilt.stderr).toMatch(/rebuilt qdrant: 3 points/);
    const wrong = await run(['reindex', '--index', 'chroma']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/configured index is qdrant, not chroma/);

    // Without the index configured, the registration is shown as orphaned and can be dropped.
    const orphan = await run(['index', 'status'], plain);
    expect(orphan.stdout).toMatch(/not configured here/);
    expect(orphan.stdout).toMatch(/engram index drop qdrant --yes/);
    const unconfirmed = await run(['index', 'drop', 'qdrant'], plain);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    const dropped = await run(['index', 'drop', 'qdrant', '--yes'], plain);
    expect(dropped.code, dropped.stderr).toBe(0);
    const after = await run(['index', 'status', '--json'], plain);
    expect(JSON.parse(after.stdout)).toEqual([]);
    const unknown = await run(['index', 'drop', 'qdrant', '--yes'], plain);
    expect(unknown.stderr).toMatch(/No index named qdrant is registered/);
  });

  it('refuses an index setting the provider does not use, and an unknown provider', async () => {
    const db = join(tmp.dir, 'refuse.db');
    const base = { ENGRAM_LLM: 'none', ENGRAM_EMBEDDER: 'none' };
    const chromaKey = await runInProcess(
      ['search', 'x', '--user', 'a', '--db', db],
      { ...base, ENGRAM_INDEX: 'chroma', ENGRAM_INDEX_URL: 'http://127.0.0.1:1', ENGRAM_INDEX_API_KEY: 'k' },
      tmp.dir,
    );
    expect(chromaKey.code).toBe(2);
    expect(chromaKey.stderr).toMatch(/chroma index does not use index\.apiKey/);
    const unknown = await runInProcess(
      ['search', 'x', '--user', 'a', '--db', db],
      { ...base, ENGRAM_INDEX: 'pinecone', ENGRAM_INDEX_URL: 'http://127.0.0.1:1' },
      tmp.dir,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown index provider "pinecone"\. Known: chroma, qdrant/);
  });
});
