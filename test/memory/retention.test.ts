import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RetentionPurger } from '../../src/ingest/retention-purger.js';
import type { Memory } from '../../src/memory/memory.js';
import { type EngineFixture, engineFixture } from './engine-fakes.js';

const DAY = 86_400_000;
const START = Date.parse('2024-03-01T00:00:00.000Z');

/** Retention policies per scope kind on the engine's clock; the purge erases every trace. */
describe('retention policies and purge', () => {
  let fixture: EngineFixture;
  let clock = START;
  afterEach(() => fixture?.close());

  const open = (retention: Record<string, unknown>) => {
    clock = START;
    fixture = engineFixture({ now: () => new Date(clock) }, { retention });
    return fixture.memory;
  };
  const add = async (memory: Memory, text: string, scope: Record<string, string>, extra = {}) =>
    (await memory.add(text, { ...scope, infer: false, ...extra })).results[0]!.id;
  const visible = async (memory: Memory, scope: Record<string, string>, showExpired = false) =>
    (await memory.getAll({ ...scope, showExpired })).results.map((r) => r.memory).sort();

  it('expires run, agent-only and user memories after their days since the last write', async () => {
    const memory = open({ runDays: 1, agentDays: 2, userDays: 3 });
    await add(memory, 'run note', { userId: 'alice', runId: 'r1' });
    await add(memory, 'agent note', { agentId: 'bot' });
    await add(memory, 'user note', { userId: 'alice' });
    // A user's memory written with an agent is of the user kind (no run_id, user_id set).
    await add(memory, 'user with agent note', { userId: 'alice', agentId: 'bot' });
    const refreshed = await add(memory, 'refreshed user note', { userId: 'alice' });

    clock = START + 1.5 * DAY;
    expect(await visible(memory, { runId: 'r1' })).toEqual([]);
    expect(await visible(memory, { runId: 'r1' }, true)).toEqual(['run note']);
    expect(await visible(memory, { agentId: 'bot' })).toEqual(['agent note', 'user with agent note']);
    await memory.update(refreshed, { metadata: { touched: true } });

    clock = START + 2.5 * DAY;
    expect(await visible(memory, { agentId: 'bot' })).toEqual(['user with agent note']);
    expect(await visible(memory, { userId: 'alice' })).toEqual([
      'refreshed user note',
      'user note',
      'user with agent note',
    ]);

    clock = START + 3.5 * DAY;
    // The write at day 1.5 restarted the refreshed memory's days.
    expect(await visible(memory, { userId: 'alice' })).toEqual(['refreshed user note']);
    expect(await visible(memory, { userId: 'alice' }, true)).toHaveLength(4);
    expect((await memory.search('note', { userId: 'alice' })).results.map((r) => r.memory)).toEqual([
      'refreshed user note',
    ]);
    expect(
      (await memory.search('note', { userId: 'alice', showExpired: true })).results.length,
    ).toBeGreaterThan(1);
  });

  it('leaves kinds without days alone and hides a passed expirationDate as before', async () => {
    const memory = open({ runDays: 1 });
    await add(memory, 'user note', { userId: 'alice' });
    await add(memory, 'dated note', { userId: 'alice' }, { expirationDate: '2024-03-05' });
    clock = START + 30 * DAY;
    expect(await visible(memory, { userId: 'alice' })).toEqual(['user note']);
    expect(await visible(memory, { userId: 'alice' }, true)).toEqual(['dated note', 'user note']);
  });

  it('purges both kinds of expired memory with every trace, per tenant; a dry run erases nothing', async () => {
    const memory = open({ runDays: 1, purge: true, purgeEveryMinutes: 60 });
    const marker = 'zqx-retention-marker';
    // The marker only in what the memories hold (versions, history, full-text), not in the
    // message log of the raw adds, which belongs to the scope and stays (erase removes it).
    const id = await add(memory, 'run note one', { userId: 'alice', runId: 'r1' });
    await memory.update(id, `run ${marker} two`);
    const dated = await add(memory, 'dated note', { userId: 'alice' }, { expirationDate: '2024-03-01' });
    await memory.update(dated, `dated ${marker}`);
    await add(memory, 'kept forever', { userId: 'alice' });
    const other = memory.forTenant('other');
    await other.update(await add(other, 'other note', { userId: 'carol', runId: 'r9' }), `other ${marker}`);
    const dbDir = dirname((memory.config as { dbPath: string }).dbPath);
    const inFiles = () =>
      readdirSync(dbDir)
        .filter((n) => n.startsWith('engram.db'))
        .filter((n) => readFileSync(`${dbDir}/${n}`).includes(Buffer.from(marker)));
    expect(inFiles().length).toBeGreaterThan(0);

    clock = START + 2 * DAY;
    const dry = await memory.purgeExpired({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, memories: 2, tenants: [{ tenant: 'default', memories: 2 }] });
    expect(await visible(memory, { userId: 'alice' }, true)).toHaveLength(3);

    const report = await memory.purgeExpired();
    expect(report).toMatchObject({ dryRun: false, memories: 2, versions: 4 });
    expect(report.history).toBeGreaterThanOrEqual(3);
    expect(await visible(memory, { userId: 'alice' }, true)).toEqual(['kept forever']);
    await expect(memory.history(id)).rejects.toMatchObject({ code: 'not_found' });
    // Tenant "other" was not this view's: still there until a store-wide purge.
    expect(await visible(memory.forTenant('other'), { userId: 'carol' }, true)).toHaveLength(1);

    // The server's scheduled purge visits every tenant.
    const purger = new RetentionPurger(memory, { everyMinutes: 60 });
    expect(await purger.purgeNow()).toMatchObject({ memories: 1, tenants: [{ tenant: 'other' }] });
    expect(inFiles()).toEqual([]);
    await expect(memory.purgeExpired({ dryRun: 'yes' as unknown as boolean })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('runs on schedule once started and stops cleanly', async () => {
    const memory = open({ runDays: 1, purge: true, purgeEveryMinutes: 1 });
    await add(memory, 'short lived', { userId: 'alice', runId: 'r1' });
    clock = START + 2 * DAY;
    const reports: number[] = [];
    const purger = new RetentionPurger(memory, { everyMinutes: 1, onPurge: (r) => reports.push(r.memories) });
    purger.start();
    for (let i = 0; i < 50 && purger.runs === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await purger.stop();
    expect(reports).toEqual([1]);
  });
});
