import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { factFor, factPerMessage, promptKind } from '../ingest/fact-per-message.js';
import { ensureCliBuilt, makeTempDir } from '../support/cli-runner.js';
import { type EngramServerProcess, startEngramServer } from '../support/engram-server-process.js';
import { type FakeOllama, type OllamaChatBody, startFakeOllama } from '../support/fake-ollama.js';
import { describePostgres, dropSchema, freshSchema, pgAdmin, requirePgUrl } from '../support/postgres.js';

const N = 48;
const message = (i: number) => `shared queue fact ${i}`;
const user = (i: number) => `user-${i % 4}`;

describePostgres('two engram servers on one PostgreSQL database', () => {
  let ollama: FakeOllama;
  let tmp: ReturnType<typeof makeTempDir>;
  const schema = freshSchema('q');
  const servers: EngramServerProcess[] = [];
  const extracted: string[] = [];

  beforeAll(async () => {
    await ensureCliBuilt();
    ollama = await startFakeOllama();
    tmp = makeTempDir('engram-shared-queue-');
    const answer = factPerMessage(15);
    ollama.onChat((body: OllamaChatBody) => {
      if (promptKind(body) === 'extract') {
        // Only the messages being extracted, not the earlier ones shown as context.
        const prompt = body.messages.at(-1)?.content ?? '';
        const fresh = prompt.split('NEW MESSAGES:\n')[1]?.split('\n\n')[0] ?? '';
        for (const match of fresh.matchAll(/^user: (shared queue fact \d+)$/gm)) extracted.push(match[1]!);
      }
      return answer(body);
    });
    writeFileSync(
      join(tmp.dir, 'engram.config.json'),
      JSON.stringify({ store: { provider: 'postgres', url: requirePgUrl(), schema, pool: 4 } }),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await ollama?.close();
    tmp?.remove();
    await dropSchema(schema);
  });

  it('migrates once when both start together, and processes every queued add exactly once', async () => {
    const start = () =>
      startEngramServer({
        cwd: tmp.dir,
        env: {
          ENGRAM_LLM: 'ollama:llama3.2:3b',
          ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
          OLLAMA_BASE_URL: ollama.url,
        },
        args: [
          '--no-auth',
          '--workers',
          '2',
          '--batch',
          '3',
          '--poll-ms',
          '20',
          '--lease-ms',
          '5000',
          '--rate',
          '100000',
        ],
        startTimeoutMs: 30_000,
      });
    // Both at once: the second waits on the migration lock, then finds the schema current.
    servers.push(...(await Promise.all([start(), start()])));
    const [a, b] = servers as [EngramServerProcess, EngramServerProcess];

    const queued = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const res = await fetch(`${(i % 2 === 0 ? a : b).url}/memories`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            messages: [{ role: 'user', content: message(i) }],
            user_id: user(i),
            async: true,
            idempotency_key: `k-${i}`,
          }),
        });
        expect(res.status).toBe(202);
        return (await res.json()) as { job_id: string };
      }),
    );
    expect(new Set(queued.map((q) => q.job_id)).size).toBe(N);

    const deadline = Date.now() + 60_000;
    for (;;) {
      const open = await pgAdmin<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".jobs WHERE state IN ('pending', 'running')`,
      );
      if (open[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`queue not drained:\n${a.output()}\n${b.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const jobs = await pgAdmin<{ state: string; attempts: number }>(
      `SELECT state, attempts FROM "${schema}".jobs`,
    );
    expect(jobs).toHaveLength(N);
    expect(jobs.every((j) => j.state === 'done' && j.attempts === 1)).toBe(true);
    // Each message went through one extraction only: no job ran twice, in either process.
    expect(extracted.sort()).toEqual(Array.from({ length: N }, (_, i) => message(i)).sort());
    const memories = await pgAdmin<{ text: string }>(
      `SELECT text FROM "${schema}".memories WHERE state = 'active'`,
    );
    expect(memories.map((m) => m.text).sort()).toEqual(
      Array.from({ length: N }, (_, i) => factFor(message(i))).sort(),
    );
    const logged = await pgAdmin<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".messages`);
    expect(logged[0]!.n).toBe(N);
    // Both processes did part of the work (each counts its own LLM calls in /metrics).
    for (const server of [a, b]) {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const calls = [...metrics.matchAll(/^engram_llm_call_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
      expect(calls, metrics).toBeGreaterThan(0);
    }
    const migrations = await pgAdmin<{ value: string }>(
      `SELECT value FROM "${schema}".meta WHERE key = 'schema_version'`,
    );
    expect(migrations).toHaveLength(1);
  }, 120_000);
});
