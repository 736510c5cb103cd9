import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli-in-process.js';
import { closedPortUrl, makeTempDir } from '../support/cli-runner.js';

let temp: ReturnType<typeof makeTempDir>;
let env: Record<string, string>;
const cli = (...args: string[]) => runInProcess(args, env, temp.dir);

beforeAll(async () => {
  temp = makeTempDir();
  env = {
    ENGRAM_DB: `${temp.dir}/x.db`,
    ENGRAM_EMBEDDER: 'none',
    ENGRAM_LLM: 'ollama:llama3.2:3b',
    OLLAMA_BASE_URL: await closedPortUrl(),
  };
});

afterAll(() => {
  temp?.remove();
});

describe('CLI errors speak CLI', () => {
  it('an add whose LLM is down says so in words, without the internal code (before: "llm_unreachable: …")', async () => {
    const run = await cli('add', 'I play the cello', '--user', 'alice');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Queued \(job [0-9a-f-]+\)/);
    expect(run.stderr).toMatch(/^engram: not learnt yet: .*Ollama/m);
    expect(run.stderr).not.toMatch(/llm_unreachable|llm_error/);
  });

  it('engine errors end with the step in CLI terms: flags and commands', async () => {
    const scope = await cli('list');
    expect(scope.code).toBe(2);
    expect(scope.stderr).toMatch(
      /needs a scope: pass a user, agent or run id.*Pass --user, --agent or --run\./,
    );
    const missing = await cli('get', '00000000-0000-4000-8000-000000000000');
    expect(missing.stderr).toMatch(/No memory with id \S+\. List ids with `engram list --user <id>`\./);
    const key = await cli('keys', 'revoke', 'nope');
    expect(key.stderr).toMatch(/No API key with id nope\. List keys with `engram keys list`\./);
  });
});
