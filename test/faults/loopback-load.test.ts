import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, makeTempDir } from '../support/cli-runner.js';
import {
  type EngramServerProcess,
  residentKiB,
  startEngramServer,
} from '../support/engram-server-process.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

/**
 * A bounded load run over loopback against a real `engram serve`: a few hundred searches with
 * large, ever-different `in` filters, and adds, while the server's resident memory is read from
 * /proc. The bound and how it was chosen are in docs/reliability.md ("Resident memory under
 * load"): before the statement cache was bounded, this traffic took a server from 140 MB to
 * 2.5 GB.
 */

/** Growth of VmRSS from after the warm-up to the end of the run (docs/reliability.md). */
const RSS_GROWTH_BOUND_MIB = 48;
const SEARCHES = 300;
const ADDS = 100;
const WARM_UP = 60;

let ollama: FakeOllama;
let tmp: ReturnType<typeof makeTempDir>;
let server: EngramServerProcess | undefined;

beforeAll(async () => {
  await ensureCliBuilt();
  ollama = await startFakeOllama({ dimensions: 64, models: ['nomic-embed-text'] });
  tmp = makeTempDir('engram-faults-load-');
}, 300_000);

afterAll(async () => {
  await server?.kill9();
  await ollama?.close();
  tmp?.remove();
});

/** A list of `size` values unlike any other run's, so neither SQL text nor parameters repeat. */
const inList = (run: number, size: number) => Array.from({ length: size }, (_, i) => `topic-${run}-${i}`);

async function post(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}\n${server!.output()}`);
  await res.arrayBuffer();
}

/** Runs `fn` over 0..n-1 with `concurrency` requests in flight. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

const search = (run: number) =>
  post('/search', {
    query: `what about topic ${run % 17}`,
    user_id: `user-${run % 5}`,
    // 200 to 1,000 values (the default limits.maxFilterList), in varied filter shapes.
    filters:
      run % 3 === 0
        ? { topic: { in: inList(run, 200 + ((run * 37) % 801)) } }
        : run % 3 === 1
          ? { AND: [{ topic: { nin: inList(run, 300 + ((run * 53) % 701)) } }, { n: { gte: run % 10 } }] }
          : { OR: [{ topic: { in: inList(run, 1_000) } }, { 'metadata.tag': `t${run}` }] },
    limit: 10,
  });

const add = (i: number) =>
  post('/memories', {
    messages: `note ${i}: ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 20))}`,
    user_id: `user-${i % 5}`,
    infer: false,
    metadata: { topic: `topic-${i}-${i % 7}`, n: i % 10, tag: `t${i}` },
  });

describe.skipIf(!existsSync('/proc/self/status'))('bounded loopback load', () => {
  it(`${SEARCHES} searches with large in filters and ${ADDS} adds keep resident memory growth under ${RSS_GROWTH_BOUND_MIB} MiB`, async () => {
    server = await startEngramServer({
      cwd: tmp.dir,
      env: {
        ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
        ENGRAM_LLM: 'none',
        OLLAMA_BASE_URL: ollama.url,
      },
      args: ['--no-auth', '--db', join(tmp.dir, 'load.db'), '--workers', '1', '--rate', '100000'],
    });
    const pid = server.pid;
    await pool(50, 4, add);
    // Warm-up: code paths compiled, caches and V8's heap at their working size.
    await pool(WARM_UP, 4, (run) => search(100_000 + run));
    const before = residentKiB(pid);
    let peak = before;
    await pool(SEARCHES + ADDS, 4, async (i) => {
      if (i % 4 === 3) await add(50 + i);
      else await search(i);
      if (i % 20 === 0) peak = Math.max(peak, residentKiB(pid));
    });
    const after = residentKiB(pid);
    peak = Math.max(peak, after);
    const growthMiB = (after - before) / 1024;
    const report = `VmRSS ${(before / 1024).toFixed(0)} MiB after warm-up, ${(after / 1024).toFixed(0)} MiB after the run (peak ${(peak / 1024).toFixed(0)} MiB): growth ${growthMiB.toFixed(1)} MiB`;
    console.info(report);
    expect(growthMiB, report).toBeLessThan(RSS_GROWTH_BOUND_MIB);
    expect((peak - before) / 1024, report).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  }, 30_000);
});
