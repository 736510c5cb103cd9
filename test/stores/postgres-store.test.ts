import { PostgresStore } from '../../src/stores/postgres/pg-store.js';
import { describeStoreConformance } from '../conformance/describe-store-conformance.js';
import { describePostgres, postgresFixture } from '../support/postgres.js';

describePostgres('PostgreSQL store', () => {
  describeStoreConformance('postgres', postgresFixture, PostgresStore.CAPABILITIES);
});
