import { afterAll, beforeAll } from 'vitest';
import { runInProcess } from './cli-in-process.js';
import { type CliResult, ensureCliBuilt, makeTempDir, runCli } from './cli-runner.js';
import { type FakeOllama, startFakeOllama } from './fake-ollama.js';

export interface CliFixtureOptions {
  /** Run each command as a new `node bin/engram.js` process (built dist/) instead of in this process. */
  spawn?: boolean;
}

/**
 * The usual CLI test setup: a fake Ollama serving embeddings, a temp folder with the database,
 * and no LLM. `cli(...args)` runs `engram` there: in this process by default (`runInProcess`,
 * each command opening the database afresh), or as a new process with `spawn: true`.
 */
export function useCliWithEmbedder(options: CliFixtureOptions = {}): {
  cli: (...args: string[]) => Promise<CliResult>;
  dir: () => string;
} {
  let fake: FakeOllama | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let env: Record<string, string> = {};
  beforeAll(async () => {
    if (options.spawn) await ensureCliBuilt();
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
  const run = options.spawn ? runCli : runInProcess;
  return {
    dir: () => {
      if (!temp) throw new Error('the CLI fixture is not set up');
      return temp.dir;
    },
    cli: (...args) => {
      if (!temp) throw new Error('the CLI fixture is not set up');
      return run(args, env, temp.dir);
    },
  };
}
