import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Memory } from '../../memory/memory.js';
import { HashEmbedder } from './hash-embedder.js';

/**
 * What encryption at rest costs (docs/security.md): the same adds and searches on a plain and on
 * an encrypted SQLite file (SQLCipher 4 pages), hash embedder, no LLM, one process.
 *
 *   npm run build && node dist/eval/bench/encryption-bench.js [memories=2000] [searches=200]
 */
export interface EncryptionRun {
  encrypted: boolean;
  openMs: number;
  addMs: number;
  searchMs: number;
  fileBytes: number;
}

const WORDS = 'tea coffee cello boston chicago cat dog garden python rust hiking sailing piano chess'.split(
  ' ',
);

function text(i: number): string {
  const pick = (n: number) => WORDS[(i * 7 + n * 13) % WORDS.length];
  return `Note ${i}: likes ${pick(1)} and ${pick(2)}, visited ${pick(3)} in year ${2000 + (i % 25)}`;
}

export async function benchEncryption(memories: number, searches: number, encrypted: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'engram-cipher-bench-'));
  const path = join(dir, 'bench.db');
  try {
    const store = { provider: 'sqlite', path, ...(encrypted ? { encryptionKey: 'bench passphrase' } : {}) };
    const memory = new Memory({ store, llm: null }, { embedder: new HashEmbedder(384), env: {} });
    let started = performance.now();
    await memory.stats();
    const openMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < memories; i += 50) {
      const batch = Array.from({ length: Math.min(50, memories - i) }, (_, j) => text(i + j));
      for (const t of batch) await memory.add(t, { userId: `user${i % 10}`, infer: false });
    }
    const addMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < searches; i++) {
      await memory.search(`${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]}`, {
        userId: `user${i % 10}`,
        limit: 10,
      });
    }
    const searchMs = performance.now() - started;
    await memory.close();
    return { encrypted, openMs, addMs, searchMs, fileBytes: statSync(path).size } satisfies EncryptionRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const memories = Number(process.argv[2] ?? 2000);
  const searches = Number(process.argv[3] ?? 200);
  // A discarded warm-up of both paths: otherwise whichever runs first pays the JIT's warm-up.
  await benchEncryption(300, 100, false);
  await benchEncryption(300, 100, true);
  const runs = [
    await benchEncryption(memories, searches, false),
    await benchEncryption(memories, searches, true),
  ];
  console.log(`| store | open | ${memories} adds | per add | ${searches} searches | per search | file |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of runs) {
    console.log(
      `| ${r.encrypted ? 'encrypted (SQLCipher 4)' : 'plain'} | ${r.openMs.toFixed(0)} ms | ${(r.addMs / 1000).toFixed(2)} s | ${(r.addMs / memories).toFixed(2)} ms | ${(r.searchMs / 1000).toFixed(2)} s | ${(r.searchMs / searches).toFixed(2)} ms | ${(r.fileBytes / 1024 / 1024).toFixed(1)} MiB |`,
    );
  }
}
