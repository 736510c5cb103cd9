import { userInfo } from 'node:os';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/spec/audit-log.js';
import { useCliWithEmbedder } from '../support/cli-fixture.js';
import { parseJson } from '../support/cli-runner.js';

describe('engram audit and CLI recording', () => {
  const { cli, dir } = useCliWithEmbedder();

  it('records CLI calls (channel cli, the OS user) and lists them, filtered, as a table or JSON', async () => {
    const added = parseJson<{ results: { id: string }[] }>(
      await cli('add', 'Alice hides a private diary', '--user', 'alice', '--no-infer', '--json'),
    );
    const id = added.results[0]?.id as string;
    expect((await cli('search', 'private diary', '--user', 'alice')).code).toBe(0);
    expect((await cli('get', '00000000-0000-4000-8000-000000000000')).code).not.toBe(0);
    expect((await cli('erase', '--user', 'alice', '--yes')).code).toBe(0);

    const listed = parseJson<{ results: AuditEntry[]; next_cursor: string | null }>(
      await cli('audit', '--json'),
    );
    expect(listed.results.map((e) => [e.operation, e.outcome])).toEqual([
      ['memory.erase', 'ok'],
      ['memory.get', 'not_found'],
      ['memory.search', 'ok'],
      ['memory.add', 'ok'],
    ]);
    expect(listed.results[3]).toMatchObject({
      channel: 'cli',
      keyId: null,
      actor: `local:${userInfo().username}`,
      userId: 'alice',
      targetIds: [id],
    });
    expect(listed.results[0]).toMatchObject({ userId: 'alice', targetIds: [], counts: { memories: 1 } });

    const erases = parseJson<{ results: AuditEntry[] }>(
      await cli('audit', '--operation', 'memory.erase', '--json'),
    );
    expect(erases.results).toHaveLength(1);
    const paged = parseJson<{ results: AuditEntry[]; next_cursor: string }>(
      await cli('audit', '--limit', '2', '--json'),
    );
    expect(paged.results).toHaveLength(2);
    const rest = parseJson<{ results: AuditEntry[] }>(
      await cli('audit', '--cursor', paged.next_cursor, '--json'),
    );
    expect(rest.results.length).toBeGreaterThanOrEqual(2);
    expect(
      parseJson<{ results: AuditEntry[] }>(await cli('audit', '--since', '2999-01-01', '--json')).results,
    ).toEqual([]);

    const table = await cli('audit', '--operation', 'memory.add');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/OPERATION/);
    expect(table.stdout).toMatch(/memory\.add/);
    expect(table.stdout).toContain(id.slice(0, 8));

    const bad = await cli('audit', '--since', 'last week');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--since');

    const purged = parseJson<{ purged: number; before: string }>(await cli('audit', '--purge', '--json'));
    expect(purged.purged).toBe(0);

    const db = new Database(`${dir()}/x.db`, { readonly: true });
    const raw = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
    db.close();
    expect(raw).not.toContain('diary');
  });
});
