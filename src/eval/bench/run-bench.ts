import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchOptions, runBenchSuite } from './bench-suite.js';
import { renderBenchmarks } from './benchmarks-markdown.js';
import { renderLatencyChart } from './latency-chart.js';
import { DEFAULT_LOCOMO_DATA } from './observe-bench.js';

/**
 * `npm run bench`: runs the performance suite and rewrites BENCHMARKS.md and
 * docs/benchmarks/search-latency.svg from its output. The defaults fit in about 15 minutes on
 * 2 cores; bigger sizes are behind flags (--million, --sizes, --mem0-sizes, --mem0-max-ingest-min).
 */
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const numbers = (value: string) => value.split(',').map((s) => Number(s.replaceAll('_', '')));

export function parseBenchArgs(): BenchOptions {
  const sizes = numbers(flag('--sizes') ?? '10000,100000');
  if (process.argv.includes('--million')) sizes.push(1_000_000);
  return {
    sizes,
    queries: Number(flag('--queries') ?? 200),
    warmupQueries: 20,
    turns: Number(flag('--turns') ?? 20),
    repetitions: Number(flag('--repetitions') ?? 3),
    mem0: process.argv.includes('--no-mem0')
      ? false
      : {
          sizes: numbers(flag('--mem0-sizes') ?? '1000,10000,100000'),
          queries: Number(flag('--mem0-queries') ?? 20),
          warmupQueries: 3,
          maxIngestSeconds: Number(flag('--mem0-max-ingest-min') ?? 8) * 60,
        },
    serverLoad: process.argv.includes('--no-server-load')
      ? false
      : { memories: 10_000, durationMs: 10_000, concurrency: 16, queuedAdds: 2_000 },
    postgres: process.argv.includes('--no-postgres')
      ? false
      : {
          scope: Number(flag('--pg-scope') ?? 100_000),
          // 1,000,000 in the database with --million; the default keeps the run near its budget.
          background: Number(
            flag('--pg-background') ?? (process.argv.includes('--million') ? 900_000 : 100_000),
          ),
          users: 1000,
          queries: Number(flag('--queries') ?? 200),
          warmupQueries: 20,
          queuedAdds: Number(flag('--pg-queued') ?? 1000),
        },
    observe: process.argv.includes('--no-observe')
      ? false
      : { dataPath: flag('--locomo') ?? DEFAULT_LOCOMO_DATA, windows: [20, 50, 100] },
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

export async function runBench(): Promise<void> {
  const options = parseBenchArgs();
  for (const [name, values] of [
    ['--sizes', options.sizes],
    ['--mem0-sizes', options.mem0 ? options.mem0.sizes : []],
  ] as const) {
    if (values.some((v) => !Number.isInteger(v) || v <= 0)) {
      throw new Error(`${name} takes positive whole numbers separated by commas, e.g. 10000,100000`);
    }
  }
  const report = await runBenchSuite(options);
  const out = flag('--out') ?? 'BENCHMARKS.md';
  const chart = flag('--chart') ?? 'docs/benchmarks/search-latency.svg';
  const args = process.argv.slice(2).join(' ');
  const command = `npm run bench${args ? ` -- ${args}` : ''}`;
  const markdown = renderBenchmarks(report, command, chart);
  process.stdout.write(markdown);
  if (!process.argv.includes('--no-write')) {
    writeFileSync(out, markdown);
    mkdirSync(dirname(chart), { recursive: true });
    writeFileSync(chart, renderLatencyChart(report));
    process.stderr.write(`wrote ${out} and ${chart}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBench().then(
    // mem0's SQLite handles and HTTP agents may keep the loop alive; the report is written.
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
