import { describe, expect, it } from 'vitest';
import { STORE_CAPABILITIES, type StoreCapability } from '../../src/spec/store.js';
import { auditChecks } from './audit-checks.js';
import type { MakeFixture } from './conformance-kit.js';
import { eraseChecks } from './erase-checks.js';
import { eraseMemoriesChecks } from './erase-memories-checks.js';
import { filterChecks } from './filter-checks.js';
import { graphChecks } from './graph-checks.js';
import { graphLifecycleChecks } from './graph-lifecycle-checks.js';
import { jobChecks, scopeLockChecks } from './jobs-checks.js';
import { keyChecks } from './keys-checks.js';
import { memoryChecks } from './memories-checks.js';
import { messageChecks } from './messages-checks.js';
import { metaChecks } from './meta-checks.js';
import { outboxChecks } from './outbox-checks.js';
import { textSearchChecks } from './text-search-checks.js';
import { usageChecks } from './usage-checks.js';
import { vectorSearchChecks } from './vector-search-checks.js';
import { versionChecks } from './versions-checks.js';

export type { MakeFixture, StoreFixture } from './conformance-kit.js';
export { axisVector, newMemory } from './conformance-kit.js';

/** The checks of each capability; a capability without checks yet is listed as such. */
const CHECKS: Partial<Record<StoreCapability, (makeFixture: MakeFixture) => void>> = {
  memories: (makeFixture) => {
    memoryChecks(makeFixture);
    describe('filters', () => filterChecks(makeFixture));
    describe('erasure', () => eraseChecks(makeFixture));
    describe('erasure of given memories', () => eraseMemoriesChecks(makeFixture));
  },
  versions: versionChecks,
  'vector-search': vectorSearchChecks,
  'text-search': textSearchChecks,
  messages: messageChecks,
  meta: metaChecks,
  jobs: (makeFixture) => {
    jobChecks(makeFixture);
    scopeLockChecks(makeFixture);
  },
  keys: keyChecks,
  usage: usageChecks,
  graph: (makeFixture) => {
    graphChecks(makeFixture);
    describe('lifecycle', () => graphLifecycleChecks(makeFixture));
  },
  outbox: outboxChecks,
  audit: auditChecks,
};

/**
 * The Store contract as executable checks, one block per capability. A backend declares its
 * capabilities; the blocks of capabilities it lacks are skipped by name, and the suite says so in
 * its output — nothing passes vacuously.
 */
export function describeStoreConformance(
  name: string,
  makeFixture: MakeFixture,
  declared: ReadonlySet<StoreCapability>,
): void {
  describe(`Store conformance: ${name}`, () => {
    it('declares exactly the capabilities its instances report', async () => {
      const fixture = await makeFixture();
      try {
        expect([...fixture.store.capabilities].sort()).toEqual([...declared].sort());
        for (const capability of fixture.store.capabilities) expect(STORE_CAPABILITIES).toContain(capability);
      } finally {
        await fixture.cleanup();
      }
    });

    const lacking: string[] = [];
    for (const capability of STORE_CAPABILITIES) {
      const checks = CHECKS[capability];
      if (!declared.has(capability)) {
        lacking.push(capability);
        describe.skip(`${capability} — skipped: ${name} lacks this capability`, () => {
          it('is not implemented by this backend', () => {});
        });
      } else if (!checks) {
        describe(capability, () => {
          it('has conformance checks', () => {
            throw new Error(`${name} declares "${capability}", which the conformance suite cannot check yet`);
          });
        });
      } else {
        describe(capability, () => checks(makeFixture));
      }
    }
    if (lacking.length > 0) {
      console.info(`[conformance] ${name} lacks: ${lacking.join(', ')} (those checks are skipped)`);
    }
  });
}
