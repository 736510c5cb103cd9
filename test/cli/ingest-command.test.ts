import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir, parseJson } from '../support/cli-runner.js';

/** `engram ingest <file|->` and `engram add -`: bulk messages, checked whole before any write. */
describe('engram ingest', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runInProcess(args, env, tmp.dir);
  /** `main` with standard input given, as a pipe would. */
  const withStdin = async (input: string, ...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(['node', 'engram', ...args], {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: { PATH: process.env.PATH ?? '', HOME: tmp.dir, ...env },
      cwd: tmp.dir,
      stdin: () => input,
    });
    return { code, stdout, stderr };
  };
  const list = async (user: string) =>
    parseJson<{ results: { memory: string; created_at: string }[] }>(
      await cli('--json', 'list', '--user', user, '--limit', '100'),
    ).results.map((r) => r.memory);

  beforeAll(() => {
    tmp = makeTempDir('engram-ingest-');
    env = { ENGRAM_DB: join(tmp.dir, 'x.db'), ENGRAM_EMBEDDER: 'none', ENGRAM_LLM: 'none' };
  });
  afterAll(() => tmp.remove());

  it('adds a JSON Lines file per scope in batches, raw with --no-infer, and says what it did', async () => {
    const lines = [
      { role: 'user', content: 'I moved to Lisbon', user_id: 'ana', event_time: '2024-05-01T10:00:00Z' },
      { role: 'user', content: 'I work at a bakery', user_id: 'ana', event_time: '2024-05-01T10:00:00Z' },
      { role: 'assistant', content: 'Noted, Bo', name: 'bot' },
      { role: 'user', content: 'I like chess' },
    ];
    writeFileSync(join(tmp.dir, 'chat.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n`);
    const result = await cli('--json', 'ingest', 'chat.jsonl', '--no-infer', '--user', 'bo', '--batch', '5');
    expect(result.code).toBe(0);
    expect(parseJson(result)).toMatchObject({ messages: 4, scopes: 2, batches: 2, added: 4, unchanged: 0 });
    expect((await list('ana')).sort()).toEqual(['I moved to Lisbon', 'I work at a bakery']);
    expect((await list('bo')).sort()).toEqual(['I like chess', 'Noted, Bo']);
    const ana = parseJson<{ results: { valid_from?: string }[] }>(
      await cli('--json', 'list', '--user', 'ana'),
    );
    expect(JSON.stringify(ana)).toContain('2024-05-01T10:00:00');
    // A second run stores nothing twice (same text, same scope).
    const again = await cli('--json', 'ingest', 'chat.jsonl', '--no-infer', '--user', 'bo');
    expect(parseJson(again)).toMatchObject({ added: 0, unchanged: 4 });
    const text = await cli('ingest', 'chat.jsonl', '--no-infer', '--user', 'bo');
    expect(text.stdout).toContain('4 messages, 2 conversations');
  });

  it('refuses a bad line with its number and writes nothing', async () => {
    const body = [
      JSON.stringify({ role: 'user', content: 'Cy likes jazz', user_id: 'cy' }),
      JSON.stringify({ role: 'user', content: 'Cy plays bass', user_id: 'cy' }),
      '{"role": "user", "content": ',
    ].join('\n');
    writeFileSync(join(tmp.dir, 'bad.jsonl'), body);
    const bad = await cli('ingest', 'bad.jsonl', '--no-infer');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('line 3');
    for (const [line, why] of [
      [JSON.stringify({ role: 'robot', content: 'x', user_id: 'cy' }), 'role'],
      [JSON.stringify({ role: 'user', content: 'x', user: 'cy' }), 'unknown field "user"'],
      [JSON.stringify({ role: 'user', content: 'x' }), 'no scope'],
      [JSON.stringify({ role: 'user', content: 'x', user_id: 'cy', event_time: 'yesterday' }), 'event_time'],
    ] as const) {
      writeFileSync(join(tmp.dir, 'bad2.jsonl'), `${body.split('\n').slice(0, 2).join('\n')}\n${line}\n`);
      const refused = await cli('ingest', 'bad2.jsonl', '--no-infer');
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('line 3');
      expect(refused.stderr).toContain(why);
    }
    expect(await list('cy')).toEqual([]);
    // Inferred adds need an LLM: refused before anything is queued.
    writeFileSync(join(tmp.dir, 'ok.jsonl'), `${body.split('\n').slice(0, 2).join('\n')}\n`);
    const noLlm = await cli('ingest', 'ok.jsonl');
    expect(noLlm.code).not.toBe(0);
    expect(parseJson<{ results: unknown[] }>(await cli('--json', 'jobs'))).toMatchObject({ results: [] });
  });

  it('reads a JSON array from standard input, and `add -` reads its text there', async () => {
    const messages = [
      { role: 'user', content: 'Dee keeps bees', user_id: 'dee' },
      { role: 'user', content: 'Dee sails', user_id: 'dee', run_id: 'trip' },
    ];
    const result = await withStdin(JSON.stringify(messages), '--json', 'ingest', '-', '--no-infer');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ messages: 2, scopes: 2, added: 2 });
    expect((await list('dee')).sort()).toEqual(['Dee keeps bees', 'Dee sails']);
    const arrayError = await withStdin('[{"role": "user"}]', 'ingest', '-', '--no-infer', '--user', 'dee');
    expect(arrayError.stderr).toContain('message 1');

    const added = await withStdin('Dee has a cat\n', 'add', '-', '--user', 'dee', '--no-infer');
    expect(added.code).toBe(0);
    expect(await list('dee')).toContain('Dee has a cat');
  });
});
