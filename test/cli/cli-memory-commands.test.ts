import { describe, expect, it } from 'vitest';
import type {
  AddResult,
  GetAllResult,
  HistoryItem,
  MemoryItem,
  SearchResult,
} from '../../src/memory/api-types.js';
import { useCliWithEmbedder } from '../support/cli-fixture.js';
import { parseJson } from '../support/cli-runner.js';

const { cli, dir } = useCliWithEmbedder();

describe('engram memory commands (--json)', () => {
  let id = '';

  it('adds with --no-infer and reports ADD with an id, the text and usage', async () => {
    const run = await cli(
      'add',
      'I love green tea',
      '--user',
      'alice',
      '--no-infer',
      '--json',
      '--metadata',
      '{"topic":"drinks"}',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const added = parseJson<AddResult>(run);
    expect(added.results).toHaveLength(1);
    expect(added.results[0]).toMatchObject({ event: 'ADD', memory: 'I love green tea' });
    expect(added.results[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(added.usage.embedCalls).toBeGreaterThanOrEqual(1);
    id = added.results[0]!.id;
  });

  it('reports NONE for the same text again', async () => {
    const added = parseJson<AddResult>(
      await cli('add', 'I love green tea', '--user', 'alice', '--no-infer', '--json'),
    );
    expect(added.results[0]).toMatchObject({ event: 'NONE', id });
  });

  it('lists, gets and searches the memory', async () => {
    const list = parseJson<GetAllResult>(await cli('--json', 'list', '--user', 'alice'));
    expect(list.results.map((m) => m.id)).toEqual([id]);
    expect(list.total).toBe(1);
    expect(list.next_cursor).toBeNull();

    const item = parseJson<MemoryItem>(await cli('get', id, '--json'));
    expect(item).toMatchObject({
      id,
      memory: 'I love green tea',
      user_id: 'alice',
      metadata: { topic: 'drinks' },
    });

    const found = parseJson<SearchResult>(
      await cli('search', 'green tea', '--user', 'alice', '--json', '--explain'),
    );
    expect(found.degraded).toBeUndefined();
    expect(found.results[0]).toMatchObject({ id, memory: 'I love green tea' });
    expect(found.results[0]?.score).toBeTypeOf('number');
    expect(found.results[0]?.explain).toBeDefined();
  });

  it('keeps scopes apart: bob sees none of alice’s memories', async () => {
    const search = parseJson<SearchResult>(await cli('search', 'green tea', '--user', 'bob', '--json'));
    expect(search.results).toEqual([]);
    const list = parseJson<GetAllResult>(await cli('list', '--user', 'bob', '--json'));
    expect(list.results).toEqual([]);
  });

  it('updates, and history shows ADD then UPDATE with the old text', async () => {
    const updated = parseJson<MemoryItem>(await cli('update', id, 'I love jasmine tea', '--json'));
    expect(updated).toMatchObject({ id, memory: 'I love jasmine tea' });
    const history = parseJson<HistoryItem[]>(await cli('history', id, '--json'));
    expect(history.map((h) => h.event)).toEqual(['UPDATE', 'ADD']);
    expect(history[0]).toMatchObject({
      memory_id: id,
      old_memory: 'I love green tea',
      new_memory: 'I love jasmine tea',
    });
  });

  it('prints readable tables without --json', async () => {
    const list = await cli('list', '--user', 'alice');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+MEMORY\s+UPDATED/);
    expect(list.stdout).toContain('I love jasmine tea');
    expect(list.stdout).toContain(id);

    const search = await cli('search', 'jasmine', '--user', 'alice');
    expect(search.stdout).toMatch(/^SCORE\s+ID\s+V\s+MEMORY/);
    expect(search.stdout).toContain('I love jasmine tea');

    const get = await cli('get', id);
    expect(get.stdout).toContain('memory:     I love jasmine tea');

    const history = await cli('history', id);
    expect(history.stdout).toContain('UPDATE');
  });

  it('truncates long memory text in tables but not in --json', async () => {
    const long = `My favourite sentence is ${'very '.repeat(30)}long`;
    const added = parseJson<AddResult>(await cli('add', long, '--user', 'carol', '--no-infer', '--json'));
    expect(added.results[0]?.memory).toBe(long);
    const table = await cli('list', '--user', 'carol');
    expect(table.stdout).toContain('My favourite sentence is very');
    expect(table.stdout).toContain('…');
    expect(table.stdout).not.toContain(long);
  });

  it('list --all follows next_cursor to the end', async () => {
    for (const text of ['one fact', 'two fact', 'three fact']) {
      expect((await cli('add', text, '--user', 'dave', '--no-infer')).code).toBe(0);
    }
    const page = parseJson<GetAllResult>(await cli('list', '--user', 'dave', '--limit', '2', '--json'));
    expect(page.results).toHaveLength(2);
    expect(page.next_cursor).not.toBeNull();
    const all = parseJson<GetAllResult>(
      await cli('list', '--user', 'dave', '--limit', '2', '--all', '--json'),
    );
    expect(all.results.map((m) => m.memory).sort()).toEqual(['one fact', 'three fact', 'two fact']);
    expect(all.next_cursor).toBeNull();
  });

  it('add --expires hides the memory after that day; list and search --show-expired show it', async () => {
    const added = parseJson<AddResult>(
      await cli(
        'add',
        'the 2020 fair is open',
        '--user',
        'erin',
        '--no-infer',
        '--expires',
        '2020-01-31',
        '--json',
      ),
    );
    expect(added.results[0]?.event).toBe('ADD');
    expect(parseJson<GetAllResult>(await cli('list', '--user', 'erin', '--json')).results).toEqual([]);
    const shown = parseJson<GetAllResult>(await cli('list', '--user', 'erin', '--show-expired', '--json'));
    expect(shown.results[0]?.metadata).toEqual({ expiration_date: '2020-01-31' });
    expect(parseJson<SearchResult>(await cli('search', 'fair', '--user', 'erin', '--json')).results).toEqual(
      [],
    );
    const found = parseJson<SearchResult>(
      await cli('search', 'fair', '--user', 'erin', '--show-expired', '--json'),
    );
    expect(found.results.map((r) => r.memory)).toEqual(['the 2020 fair is open']);
    const bad = await cli('add', 'x', '--user', 'erin', '--no-infer', '--expires', '31/01/2020');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expirationDate must be a calendar day');
  });

  it('deletes; the id is gone afterwards', async () => {
    const run = await cli('delete', id, '--json');
    expect(run.code).toBe(0);
    expect(parseJson<{ message: string }>(run).message).toMatch(/deleted/i);
    const get = await cli('get', id, '--json');
    expect(get.code).toBe(2);
    expect(get.stdout).toBe('');
  });

  it('delete-all removes one scope only', async () => {
    const run = parseJson<{ message: string; deleted: number }>(
      await cli('delete-all', '--user', 'dave', '--json'),
    );
    expect(run.deleted).toBe(3);
    expect(parseJson<GetAllResult>(await cli('list', '--user', 'dave', '--json')).results).toEqual([]);
    expect(parseJson<GetAllResult>(await cli('list', '--user', 'carol', '--json')).results).toHaveLength(1);
  });

  it('--db and --tenant override the environment', async () => {
    const other = `${dir()}/other.db`;
    expect(
      (await cli('--db', other, 'add', 'tenant fact', '--user', 'alice', '--no-infer', '--tenant', 't2'))
        .code,
    ).toBe(0);
    const inOther = parseJson<GetAllResult>(
      await cli('--db', other, '--tenant', 't2', 'list', '--user', 'alice', '--json'),
    );
    expect(inOther.results.map((m) => m.memory)).toEqual(['tenant fact']);
    const otherTenant = parseJson<GetAllResult>(
      await cli('--db', other, 'list', '--user', 'alice', '--json'),
    );
    expect(otherTenant.results).toEqual([]);
    const envDb = parseJson<GetAllResult>(await cli('list', '--user', 'alice', '--json', '--tenant', 't2'));
    expect(envDb.results).toEqual([]);
  });
});
