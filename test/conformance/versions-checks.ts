import { expect, it } from 'vitest';
import { textHash } from '../../src/util/text-hash.js';
import { alice, axisVector, type MakeFixture, newMemory, useStore } from './conformance-kit.js';

// World time (when things were true) and system time (when engram recorded them) differ on purpose.
const JAN_10 = '2024-01-10T00:00:00.000Z';
const FEB_01 = '2024-02-01T00:00:00.000Z';
const MAR_01 = '2024-03-01T00:00:00.000Z';
const APR_01 = '2024-04-01T00:00:00.000Z';
const RECORDED_1 = '2024-06-01T00:00:00.000Z';
const BETWEEN = '2024-06-15T00:00:00.000Z';
const RECORDED_2 = '2024-07-01T00:00:00.000Z';

/** Versions and the two time axes (docs/architecture.md, "Versions and the two time axes"). */
export function versionChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  /** Boston from Jan 10 (recorded Jun 1); Chicago from Mar 1 (recorded Jul 1). */
  async function boston() {
    const m = newMemory('Lives in Boston', { validFrom: JAN_10, at: RECORDED_1, embedding: axisVector(0) });
    await store().insertMemories('t1', [m]);
    const updated = await store().updateMemory('t1', m.id, {
      text: 'Lives in Chicago',
      hash: textHash('Lives in Chicago'),
      embedding: axisVector(1),
      embeddingModel: 'test:model',
      validFrom: MAR_01,
      at: RECORDED_2,
      actor: 'user',
    });
    return { m, updated };
  }

  it('an update closes the current version on both axes and opens the next, keeping the id', async () => {
    const { m, updated } = await boston();
    expect(updated).toMatchObject({
      id: m.id,
      version: 2,
      text: 'Lives in Chicago',
      validFrom: MAR_01,
      validTo: null,
      recordedAt: RECORDED_2,
      expiredAt: null,
      createdAt: RECORDED_1,
      updatedAt: RECORDED_2,
    });
    const versions = await store().versions('t1', m.id);
    expect(
      versions.map((v) => [v.version, v.text, v.validFrom, v.validTo, v.recordedAt, v.expiredAt]),
    ).toEqual([
      [2, 'Lives in Chicago', MAR_01, null, RECORDED_2, null],
      [1, 'Lives in Boston', JAN_10, MAR_01, RECORDED_1, RECORDED_2],
    ]);
  });

  it('asOf selects the version true at that time, on get and on both search legs', async () => {
    const { m } = await boston();
    const scope = alice();
    expect(await store().getMemory('t1', m.id, { asOf: FEB_01 })).toMatchObject({
      version: 1,
      text: 'Lives in Boston',
      validTo: MAR_01,
    });
    expect(await store().getMemory('t1', m.id, { asOf: APR_01 })).toMatchObject({
      version: 2,
      text: 'Lives in Chicago',
    });
    expect(await store().getMemory('t1', m.id, { asOf: '2023-12-01T00:00:00.000Z' })).toBeNull();
    expect(await store().getMemories('t1', [m.id], { asOf: FEB_01 })).toMatchObject([{ version: 1 }]);

    expect(await store().textSearch('t1', 'Boston', { filter: scope, asOf: FEB_01, limit: 5 })).toMatchObject(
      [{ id: m.id, version: 1 }],
    );
    expect(await store().textSearch('t1', 'Boston', { filter: scope, limit: 5 })).toEqual([]);
    expect(await store().textSearch('t1', 'Chicago', { filter: scope, asOf: FEB_01, limit: 5 })).toEqual([]);
    expect(await store().textSearch('t1', 'Chicago', { filter: scope, limit: 5 })).toMatchObject([
      { id: m.id, version: 2 },
    ]);

    const feb = await store().vectorSearch('t1', axisVector(0), { filter: scope, asOf: FEB_01, limit: 5 });
    expect(feb).toMatchObject([{ id: m.id, version: 1 }]);
    expect(feb[0]!.score).toBeCloseTo(1, 5);
    const now = await store().vectorSearch('t1', axisVector(0), { filter: scope, limit: 5 });
    expect(now).toMatchObject([{ id: m.id, version: 2 }]);
    expect(now[0]!.score).toBeCloseTo(0, 5);
    // Agent-wide (no partition) takes the other vector path; it must select versions the same way.
    const wide = await store().vectorSearch('t1', axisVector(0), { filter: null, asOf: FEB_01, limit: 5 });
    expect(wide).toMatchObject([{ id: m.id, version: 1 }]);
    expect(
      (await store().vectorSimilarities('t1', [m.id], axisVector(0), { asOf: FEB_01 })).get(m.id),
    ).toBeCloseTo(1, 5);
    expect((await store().vectorSimilarities('t1', [m.id], axisVector(0))).get(m.id)).toBeCloseTo(0, 5);
  });

  it('knownAt answers what engram believed then: before the update was recorded, Boston even for later dates', async () => {
    const { m } = await boston();
    expect(await store().getMemory('t1', m.id, { asOf: APR_01, knownAt: BETWEEN })).toMatchObject({
      version: 1,
      text: 'Lives in Boston',
    });
    expect(await store().getMemory('t1', m.id, { knownAt: BETWEEN })).toMatchObject({ version: 1 });
    expect(
      await store().getMemory('t1', m.id, { asOf: APR_01, knownAt: '2024-05-01T00:00:00.000Z' }),
    ).toBeNull();
    expect(
      await store().textSearch('t1', 'Boston', { filter: alice(), asOf: APR_01, knownAt: BETWEEN, limit: 5 }),
    ).toMatchObject([{ id: m.id, version: 1 }]);
    expect(
      await store().vectorSearch('t1', axisVector(0), {
        filter: alice(),
        asOf: APR_01,
        knownAt: BETWEEN,
        limit: 5,
      }),
    ).toMatchObject([{ id: m.id, version: 1 }]);
  });

  it('history lists events newest first, each with its version and interval', async () => {
    const { m } = await boston();
    const history = await store().history('t1', m.id);
    expect(
      history.map((h) => [h.event, h.version, h.oldText, h.newText, h.validFrom, h.validTo, h.at]),
    ).toEqual([
      ['UPDATE', 2, 'Lives in Boston', 'Lives in Chicago', MAR_01, null, RECORDED_2],
      ['ADD', 1, null, 'Lives in Boston', JAN_10, MAR_01, RECORDED_1],
    ]);
  });

  it('refuses a change dated before the current version began, unless told to clamp', async () => {
    const m = newMemory('Works at Acme', { validFrom: MAR_01, at: RECORDED_1 });
    await store().insertMemories('t1', [m]);
    await expect(
      store().updateMemory('t1', m.id, {
        text: 'Works at Globex',
        hash: textHash('Works at Globex'),
        validFrom: FEB_01,
        at: RECORDED_2,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await store().versions('t1', m.id)).toHaveLength(1);
    const clamped = await store().updateMemory('t1', m.id, {
      text: 'Works at Globex',
      hash: textHash('Works at Globex'),
      validFrom: FEB_01,
      at: RECORDED_2,
      backdate: 'clamp',
    });
    expect(clamped).toMatchObject({ version: 2, validFrom: FEB_01 });
    // The first version's interval is empty: it was never true, as far as engram now knows.
    expect(await store().getMemory('t1', m.id, { asOf: APR_01 })).toMatchObject({ version: 2 });
    expect((await store().versions('t1', m.id))[1]).toMatchObject({ validFrom: MAR_01, validTo: MAR_01 });
  });

  it('an invalidated memory ends at validTo and stays visible before it', async () => {
    const m = newMemory('Owns a red car', { validFrom: JAN_10, at: RECORDED_1 });
    await store().insertMemories('t1', [m]);
    await store().invalidateMemory('t1', m.id, { validTo: MAR_01, supersededBy: null, at: RECORDED_2 });
    expect(await store().getMemory('t1', m.id, { asOf: FEB_01 })).toMatchObject({
      version: 1,
      state: 'superseded',
    });
    expect(await store().getMemory('t1', m.id, { asOf: APR_01 })).toBeNull();
    expect(await store().getMemory('t1', m.id, { asOf: APR_01, knownAt: BETWEEN })).toMatchObject({
      version: 1,
    });
    expect(await store().textSearch('t1', 'car', { filter: alice(), limit: 5 })).toEqual([]);
    expect(await store().textSearch('t1', 'car', { filter: alice(), asOf: FEB_01, limit: 5 })).toHaveLength(
      1,
    );
    await expect(
      store().updateMemory('t1', m.id, {
        text: 'Owns a blue car',
        hash: textHash('Owns a blue car'),
        at: RECORDED_2,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
}
