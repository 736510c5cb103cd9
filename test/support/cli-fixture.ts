import { afterAll, beforeAll } from 'vitest';
import { type CliResult, ensureCliBuilt, makeTempDir, runCli } from './cli-runner.js';
import { type FakeOllama, startFakeOllama } from './fake-ollama.js';

/**
 * The usual CLI test setup: the CLI built, a fake Ollama serving embeddings, a temp folder with
 * the database, and no LLM. `cli(...args)` runs `engram` there as a new process.
 */
export function useCliWithEmbedder(): { cli: (...args: string[]) => Promise<CliResult>; dir: () => string } {
  let fake: FakeOllama | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let env: Record<string, string> = {};
  beforeAll(async () => {
    await ensureCliBuilt();
    fake = await startFakeOllama({ dimensions: 32, models: ['nomic-embed-text'] });
    temp = makeTempDir();
    env = {
      ENGRAM_DB: `${temp.dir}/x.db`,
      OLLAMA_BASE_URL: fake.url,
      ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
      ENGRAM_LLM: 'none',
    };
  }, 300_000);
  afterAll(async () => {
    await fake?.close();
    temp?.remove();
  });
  return {
    dir: () => {
      if (!temp) throw new Error('the CLI fixture is not set up');
      return temp.dir;
    },
    cli: (...args) => {
      if (!temp) throw new Error('the CLI fixture is not set up');
      return runCli(args, env, temp.dir);
    },
  };
}
