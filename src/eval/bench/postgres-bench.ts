import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Memory } from '../../memory/memory.js';
import { PostgresStore } from '../../stores/postgres/pg-store.js';
import { startFakeOpenAIServer } from './fake-openai-server.js';
import type { StoreScopeFigures, StoreScopeJob } from './store-scope-child.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// Children run the built files (dist/), also when this module is loaded from src/ by a test.
const CHILD = join(ROOT, 'dist', 'eval', 'bench', 'store-scope-child.js');
const BIN = join(ROOT, 'bin', 'engram.js');

export interface PostgresBenchOptions {
  scope: number;
  background: number;
  users: number;
  queries: number;
  warmupQueries: number;
  queuedAdds: number;
}

export interface QueueDrainFigures {
  processes: number;
  jobs: number;
  /** From the first enqueue to the last job done (enqueueing overlaps the draining). */
  drainMs: number;
  jobsPerSecond: number;
  /** Jobs that ran more than once (a second attempt) and memories written twice: 0 is the target. */
  reruns: number;
  duplicates: number;
  /** Peak resident memory of each `engram serve` process (VmHWM). */
  peakRssMiB: number[];
}

export type PostgresSection =
  | {
      measured: true;
      server: string;
      stores: StoreScopeFigures[];
      queue: QueueDrainFigures[];
      /** Sizes on disk of the PostgreSQL scope run: vectors, their HNSW index, everything. */
      sizesMiB: { vectors: number; hnsw: number; total: number };
    }
  | { measured: false; reason: string };

const run = promisify(execFile);

/**
 * PostgreSQL beside SQLite in the same run (issue 10): the same load in each store, each in a
 * child process of its own (so peak memory is the engram process's), then queue drains with one
 * and two `engram serve` processes sharing one database. The server: ENGRAM_BENCH_PG_URL, else
 * ENGRAM_TEST_PG_URL, else a throwaway one from scripts/pg-test-server.sh when this machine can.
 */
export async function benchPostgres(
  options: PostgresBenchOptions,
  log: (line: string) => void,
): Promise<PostgresSection> {
  const server = await serverUrl(log);
  if ('reason' in server) return { measured: false, reason: server.reason };
  try {
    const stores: StoreScopeFigures[] = [];
    let sizes = { vectors: 0, hnsw: 0, total: 0 };
    for (const store of ['sqlite', 'postgres'] as const) {
      const schema = `bench_${Date.now().toString(36)}`;
      log(
        `${store}: ${options.scope.toLocaleString('en')} memories in one scope, ` +
          `${(options.scope + options.background).toLocaleString('en')} in the database`,
      );
      const job: StoreScopeJob = { store, url: server.url, schema, ...options };
      const { stdout } = await run(process.execPath, ['--expose-gc', CHILD, JSON.stringify(job)], {
        maxBuffer: 16 * 1024 * 1024,
        timeout: 60 * 60_000,
      });
      stores.push(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as StoreScopeFigures);
      if (store === 'postgres') {
        sizes = await tableSizes(server.url, schema);
        await dropSchema(server.url, schema);
      }
    }
    const queue: QueueDrainFigures[] = [];
    for (const processes of [1, 2]) {
      log(`postgres: ${options.queuedAdds} queued adds drained by ${processes} engram serve process(es)`);
      queue.push(await queueDrain(server.url, processes, options.queuedAdds));
    }
    const version = await serverVersion(server.url);
    return { measured: true, server: version, stores, queue, sizesMiB: sizes };
  } catch (error) {
    return { measured: false, reason: `the PostgreSQL bench failed: ${(error as Error).message}` };
  } finally {
    server.stop();
  }
}

async function serverUrl(
  log: (line: string) => void,
): Promise<{ url: string; stop: () => void } | { reason: string }> {
  const given = process.env.ENGRAM_BENCH_PG_URL?.trim() || process.env.ENGRAM_TEST_PG_URL?.trim();
  if (given) return { url: given, stop: () => {} };
  const script = join(ROOT, 'scripts', 'pg-test-server.sh');
  if (!existsSync('/usr/lib/postgresql/15/bin/postgres')) {
    return {
      reason:
        'no PostgreSQL server: set ENGRAM_BENCH_PG_URL, or install postgresql-15 so scripts/pg-test-server.sh can start one',
    };
  }
  log('postgres: starting a throwaway server (scripts/pg-test-server.sh)');
  try {
    const out = execFileSync('bash', [script, 'start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = /ENGRAM_TEST_PG_URL='([^']+)'/.exec(out)?.[1];
    const dir = /ENGRAM_TEST_PG_DIR='([^']+)'/.exec(out)?.[1];
    if (!url || !dir) return { reason: 'scripts/pg-test-server.sh printed no URL' };
    return { url, stop: () => execFileSync('bash', [script, 'stop', dir], { stdio: 'ignore' }) };
  } catch (error) {
    return { reason: `scripts/pg-test-server.sh failed: ${(error as Error).message}` };
  }
}

async function withClient<T>(url: string, fn: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const dropSchema = (url: string, schema: string) =>
  withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

const serverVersion = (url: string) =>
  withClient(url, async (c) => {
    const v =
      (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    const pgv = (
      await c.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)
    ).rows[0]?.v;
    return `PostgreSQL ${v}, pgvector ${pgv ?? '?'}`;
  });

async function tableSizes(
  url: string,
  schema: string,
): Promise<{ vectors: number; hnsw: number; total: number }> {
  return withClient(url, async (c) => {
    const mib = async (sql: string) =>
      Math.round(Number((await c.query<{ n: string }>(sql)).rows[0]?.n ?? 0) / 2 ** 20);
    return {
      vectors: await mib(`SELECT pg_table_size('"${schema}".memory_vectors') AS n`),
      hnsw: await mib(`SELECT pg_relation_size('"${schema}".memory_vectors_hnsw') AS n`),
      total: await mib(
        `SELECT sum(pg_total_relation_size(c.oid)) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = '${schema}' AND c.relkind = 'r'`,
      ),
    };
  });
}

/** Queued adds enqueued here, drained by `processes` real `engram serve` processes on one schema. */
async function queueDrain(url: string, processes: number, jobs: number): Promise<QueueDrainFigures> {
  const schema = `bench_queue_${processes}_${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'engram-queue-bench-'));
  const llm = await startFakeOpenAIServer({ dimensions: 384 });
  const store = new PostgresStore({ url, schema, pool: 4 });
  const memory = new Memory(
    {
      llm: { provider: 'openai', model: 'gpt-4o-mini', baseUrl: llm.baseUrl, apiKey: 'bench' },
      embedder: null,
    },
    { store, env: {}, cwd: dir },
  );
  const children: ReturnType<typeof spawn>[] = [];
  try {
    await store.init();
    writeFileSync(
      join(dir, 'engram.config.json'),
      JSON.stringify({ store: { provider: 'postgres', url, schema, pool: 4 } }),
    );
    for (let p = 0; p < processes; p++) {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const child = spawn(
        process.execPath,
        [
          BIN,
          'serve',
          '--no-auth',
          '--port',
          String(port),
          '--workers',
          '2',
          '--batch',
          '8',
          '--poll-ms',
          '20',
          '--rate',
          '1000000',
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: dir,
            ENGRAM_LLM: 'openai:gpt-4o-mini',
            ENGRAM_LLM_BASE_URL: llm.baseUrl,
            ENGRAM_EMBEDDER: 'openai:text-embedding-3-small',
            ENGRAM_EMBEDDER_BASE_URL: llm.baseUrl,
            OPENAI_API_KEY: 'bench',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      children.push(child);
      await waitUp(`http://127.0.0.1:${port}`, child);
    }
    const started = performance.now();
    for (let i = 0; i < jobs; i++) {
      await memory.enqueueAdd(
        [{ role: 'user', content: `I live in town number ${i}. My dog is called Rex${i}.` }],
        { userId: `queue-${i % 20}` },
        { idempotencyKey: `bench-${i}` },
      );
    }
    for (;;) {
      const counts = await store.jobCounts(null);
      if (counts.pending + counts.running === 0) break;
      if (performance.now() - started > 30 * 60_000)
        throw new Error(`queue not drained: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const drainMs = performance.now() - started;
    const figures = await withClient(url, async (c) => {
      const reruns = (
        await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".jobs WHERE attempts > 1`)
      ).rows[0]?.n;
      const duplicates = (
        await c.query<{ n: string }>(
          `SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM "${schema}".memories
           WHERE state = 'active' GROUP BY tenant, user_id, text) t`,
        )
      ).rows[0]?.n;
      return { reruns: Number(reruns ?? 0), duplicates: Number(duplicates ?? 0) };
    });
    const peakRssMiB = children.map((child) => vmHwmMiB(child.pid));
    return {
      processes,
      jobs,
      drainMs: Math.round(drainMs),
      jobsPerSecond: Math.round((jobs * 1000) / drainMs),
      ...figures,
      peakRssMiB,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
    await memory.close();
    await store.close();
    await llm.close();
    await dropSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitUp(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`engram serve exited (${child.exitCode}): ${stderr.slice(-500)}`);
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) throw new Error(`engram serve did not start: ${stderr.slice(-500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function vmHwmMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}
