import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { runInProcess } from '../support/cli-in-process.js';

/** A mem0 config's unused parts reach the user: on the Memory, as a process warning, on the CLI. */
describe('configuration warnings', () => {
  let dir: string;
  const mem0Config = () => ({
    vectorStore: { provider: 'pinecone', config: { collectionName: 'mem' } },
    llm: { provider: 'openai', config: { apiKey: 'k', model: 'gpt-4o-mini', topP: 0.5 } },
    dbPath: join(dir, 'engram.db'),
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engram-warn-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('new Memory(mem0 config) lists them in `warnings` and emits each once per process', async () => {
    const seen: Error[] = [];
    const listen = (w: Error) => seen.push(w);
    process.on('warning', listen);
    try {
      const first = new Memory(mem0Config(), { env: {}, cwd: dir });
      const second = new Memory(mem0Config(), { env: {}, cwd: dir });
      await new Promise((r) => setImmediate(r));
      expect(first.warnings.some((w) => w.includes('pinecone'))).toBe(true);
      expect(first.warnings.some((w) => w.includes('topP'))).toBe(true);
      expect(second.warnings).toEqual(first.warnings);
      const ours = seen.filter((w) => (w as { code?: string }).code === 'ENGRAM_CONFIG');
      expect(ours.map((w) => w.message).sort()).toEqual(
        first.warnings.map((w) => `engram config: ${w}`).sort(),
      );
      await first.close();
      await second.close();
    } finally {
      process.off('warning', listen);
    }
  });

  it('deps.onWarning receives them instead; an engram config has none', async () => {
    const got: string[] = [];
    const m = new Memory(mem0Config(), { env: {}, cwd: dir, onWarning: (w) => got.push(w) });
    expect(got).toEqual([...m.warnings]);
    expect(got.length).toBeGreaterThan(0);
    const plain = new Memory(
      { dbPath: join(dir, 'plain.db'), llm: null, embedder: null },
      { env: {}, cwd: dir },
    );
    expect(plain.warnings).toEqual([]);
    await m.close();
    await plain.close();
  });

  it('every CLI command prints them to stderr as it starts', async () => {
    const file = join(dir, 'mem0.json');
    writeFileSync(file, JSON.stringify(mem0Config()));
    const listed = await runInProcess(['--config', file, 'list', '--user', 'alice'], {}, dir);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toMatch(/engram: warning: .*pinecone/);
    expect(listed.stderr).toMatch(/engram: warning: .*topP/);
  });
});
