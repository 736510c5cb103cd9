import type { PostgresSection } from './postgres-bench.js';

const n = (v: number) => v.toLocaleString('en', { maximumFractionDigits: 2 });
const row = (cells: (string | number)[]) =>
  `| ${cells.map((c) => (typeof c === 'number' ? n(c) : c)).join(' | ')} |`;

/** The PostgreSQL section of BENCHMARKS.md; every figure comes from the report. */
export function postgresSection(section: PostgresSection): string[] {
  const head = '## (f) PostgreSQL beside SQLite';
  if (!section.measured) {
    return [head, '', `**PostgreSQL: not measured in this run (${section.reason}).**`, ''];
  }
  const [first] = section.stores;
  const lines = [
    head,
    '',
    `${section.server} (a throwaway local server unless ENGRAM_BENCH_PG_URL names one). Each store gets the same load in a process of its own — ${n(first?.databaseMemories ?? 0)} memories in the database over ${n(first?.users ?? 0)} users, ${n(first?.scopeMemories ?? 0)} of them in the searched scope, all through \`memory.add\` with \`infer: false\` and the 384-dimension hash embedder — so the peak memory is that store's engram process alone.`,
    '',
    '| store | memories in scope | in database | add/s (scope) | add/s (background) | index build s | search p50 ms | search p95 ms | vector leg p50 ms | vector leg p95 ms | peak RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...section.stores.map((s) =>
      row([
        s.store,
        s.scopeMemories,
        s.databaseMemories,
        s.addPerSecond,
        s.backgroundPerSecond,
        s.indexBuildSeconds ?? '—',
        s.search.p50,
        s.search.p95,
        s.vector.p50,
        s.vector.p95,
        s.peakRssMiB,
      ]),
    ),
    '',
    'The background (every scope but the searched one) loads first; on PostgreSQL its HNSW index is built once after it (`index build s`), the way a bulk import should run. The searched scope is then added with the index in place: `add/s (scope)` is the steady-state add path. Search excludes the query embedding and runs with the whole database loaded.',
    '',
    `On PostgreSQL the vector table took ${n(section.sizesMiB.vectors)} MiB and its HNSW index ${n(section.sizesMiB.hnsw)} MiB; the whole schema ${n(section.sizesMiB.total)} MiB.`,
    '',
    '### The shared queue',
    '',
    'Queued adds (inferred, against the fake OpenAI server in the bench process) enqueued by the bench process while real `engram serve` processes (2 ingest workers each) drain them from one PostgreSQL schema.',
    '',
    '| engram serve processes | jobs | drain ms | jobs/s | jobs run twice | duplicate memories | peak RSS MiB per process |',
    '|---:|---:|---:|---:|---:|---:|---|',
    ...section.queue.map((q) =>
      row([q.processes, q.jobs, q.drainMs, q.jobsPerSecond, q.reruns, q.duplicates, q.peakRssMiB.join(', ')]),
    ),
    '',
  ];
  return lines;
}
