import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { describeStoreConformance } from '../conformance/describe-store-conformance.js';

/** The whole Store contract on an encrypted file (SQLCipher 4 pages): encryption changes no answer. */
describeStoreConformance(
  'sqlite (encrypted file)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engram-store-cipher-'));
    const store = new SqliteStore({ path: join(dir, 'test.db'), encryptionKey: 'conformance passphrase' });
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  SqliteStore.CAPABILITIES,
);
