import { describe, expect, it } from 'vitest';
import type { AddResult, HistoryItem, MemoryItem, SearchResult } from '../../src/memory/api-types.js';
import { useCliWithEmbedder } from '../support/cli-fixture.js';
import { parseJson } from '../support/cli-runner.js';

const JAN_10 = '2024-01-10T00:00:00.000Z';
const FEB_01 = '2024-02-01T00:00:00.000Z';
const MAR_01 = '2024-03-01T00:00:00.000Z';
const APR_01 = '2024-04-01T00:00:00.000Z';

const { cli } = useCliWithEmbedder();

describe('engram versions on the command line (each command opens the database afresh)', () => {
  it('update --event-time opens a version; search/get --as-of and --known-at select versions; history shows both', async () => {
    const added = parseJson<AddResult>(
      await cli('add', 'Lives in Boston', '--user', 'sarah', '--no-infer', '--event-time', JAN_10, '--json'),
    );
    const id = added.results[0]!.id;
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await cli('update', id, 'Lives in Chicago', '--event-time', MAR_01, '--json');
    expect(updated.code).toBe(0);
    expect(parseJson<MemoryItem>(updated)).toMatchObject({ id, memory: 'Lives in Chicago', version: 2 });

    const search = async (...flags: string[]) =>
      parseJson<SearchResult>(
        await cli('search', 'where does sarah live', '--user', 'sarah', '--json', ...flags),
      ).results.map((r) => [r.memory, r.version]);
    expect(await search('--as-of', FEB_01)).toEqual([['Lives in Boston', 1]]);
    expect(await search()).toEqual([['Lives in Chicago', 2]]);
    expect(await search('--as-of', APR_01, '--known-at', between)).toEqual([['Lives in Boston', 1]]);

    expect(parseJson<MemoryItem>(await cli('get', id, '--as-of', FEB_01, '--json'))).toMatchObject({
      memory: 'Lives in Boston',
      version: 1,
      valid_from: JAN_10,
      valid_to: MAR_01,
    });
    expect(parseJson<MemoryItem>(await cli('get', id, '--json'))).toMatchObject({
      memory: 'Lives in Chicago',
      version: 2,
    });

    const history = parseJson<HistoryItem[]>(await cli('history', id, '--json'));
    expect(history.map((h) => [h.event, h.version, h.valid_from, h.valid_to])).toEqual([
      ['UPDATE', 2, MAR_01, null],
      ['ADD', 1, JAN_10, MAR_01],
    ]);
    const table = await cli('history', id);
    expect(table.stdout).toContain('TRUE FROM');
    expect(table.stdout).toContain(MAR_01);
  });

  it('a duplicate text is a conflict: one line on stderr, non-zero exit, nothing written', async () => {
    const tea = parseJson<AddResult>(await cli('add', 'Likes tea', '--user', 'tom', '--no-infer', '--json'))
      .results[0]!.id;
    await cli('add', 'Likes coffee', '--user', 'tom', '--no-infer', '--json');
    const run = await cli('update', tea, 'Likes coffee');
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/already says exactly this/);
    expect(parseJson<MemoryItem>(await cli('get', tea, '--json'))).toMatchObject({
      memory: 'Likes tea',
      version: 1,
    });
  });

  it('update --metadata merges, --replace-metadata replaces, and a backdated change is refused', async () => {
    const id = parseJson<AddResult>(
      await cli(
        'add',
        'Plays chess',
        '--user',
        'tom',
        '--no-infer',
        '--metadata',
        '{"level":"club","city":"Oslo"}',
        '--event-time',
        MAR_01,
        '--json',
      ),
    ).results[0]!.id;
    const merged = parseJson<MemoryItem>(
      await cli('update', id, '--metadata', '{"level":"master","city":null}', '--json'),
    );
    expect(merged.metadata).toEqual({ level: 'master' });
    const replaced = parseJson<MemoryItem>(
      await cli('update', id, '--metadata', '{"source":"cli"}', '--replace-metadata', '--json'),
    );
    expect(replaced.metadata).toEqual({ source: 'cli' });
    const backdated = await cli('update', id, 'Plays go', '--event-time', FEB_01);
    expect(backdated.code).toBe(2);
    expect(backdated.stderr).toContain(MAR_01);
  });
});
