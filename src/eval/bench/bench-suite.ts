import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchEngramScope, type ScopeBenchResult } from './engram-scope-bench.js';
import { startFakeOpenAIServer } from './fake-openai-server.js';
import { benchQueries } from './latency-stats.js';
import { loadMem0 } from './mem0-oss.js';
import { benchMem0Scope, type Mem0ScopeResult } from './mem0-scope-bench.js';
import { type ObserveBenchOptions, type ObserveBenchReport, runObserveBench } from './observe-bench.js';
import {
  benchEngramPipeline,
  benchEngramPipelineHttp,
  benchMem0Pipeline,
  type PipelineResult,
} from './pipeline-bench.js';
import { benchPostgres, type PostgresBenchOptions, type PostgresSection } from './postgres-bench.js';
import { measureServerLoad, type ServerLoadSection } from './server-load-section.js';
import { syntheticTexts } from './synthetic-text.js';

export interface BenchOptions {
  /** Scope sizes for engram's own search and add figures (in-process embedder). */
  sizes: number[];
  queries: number;
  warmupQueries: number;
  /** Conversation turns replayed per pipeline run (1–20) and measured repetitions. */
  turns: number;
  repetitions: number;
  /** false skips the whole side by side (the smoke test); otherwise its sizes and budgets. */
  mem0:
    | false
    | {
        sizes: number[];
        queries: number;
        warmupQueries: number;
        maxIngestSeconds: number;
        stateDir?: string;
      };
  serverLoad: false | { memories: number; durationMs: number; concurrency: number; queuedAdds: number };
  /** PostgreSQL beside SQLite (same load in each), and the queue drained by 1 and 2 servers. */
  postgres: false | PostgresBenchOptions;
  /** Passive observation on LoCoMo (npm run bench:observe's figures); absent or false skips it. */
  observe?: false | Omit<ObserveBenchOptions, 'log'>;
  log?: (line: string) => void;
}

export interface SideBySideScope {
  memories: number;
  engram: ScopeBenchResult | { measured: false; reason: string };
  mem0: Mem0ScopeResult;
}

export type SideBySide =
  | {
      status: 'measured';
      mem0Version: string;
      scopes: SideBySideScope[];
      pipeline: { engram: PipelineResult[]; mem0: PipelineResult | { measured: false; reason: string } };
    }
  | { status: 'skipped' | 'failed'; reason: string };

export interface BenchReport {
  generatedAt: string;
  durationSeconds: number;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    platform: string;
    loadAverageAtStart: number;
    loadAverageAtEnd: number;
  };
  commit: string;
  options: Omit<BenchOptions, 'log'>;
  scopes: ScopeBenchResult[];
  pipeline: PipelineResult[];
  /** Peak resident memory after engram's own sections, and for the whole run (mem0 included). */
  peakRssMiB: { engram: number; wholeRun: number };
  serverLoad: ServerLoadSection;
  postgres: PostgresSection;
  observe: ObserveSection;
  sideBySide: SideBySide;
}

export type ObserveSection =
  | { measured: true; report: ObserveBenchReport }
  | { measured: false; reason: string };

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    return dirty.trim() === '' ? sha : `${sha} (with uncommitted changes)`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs every section in order and returns the figures; writing files is the caller's business. */
export async function runBenchSuite(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const loadAverageAtStart = loadavg()[0] ?? 0;
  const allQueries = benchQueries(options.queries + options.warmupQueries, syntheticTexts);
  const warmupQueries = allQueries.slice(0, options.warmupQueries);
  const queries = allQueries.slice(options.warmupQueries);

  const scopes: ScopeBenchResult[] = [];
  for (const size of options.sizes) {
    log(`engram: scope of ${size.toLocaleString('en')} memories (in-process embedder)`);
    scopes.push(await benchEngramScope({ size, queries, warmupQueries, log }));
  }
  log('engram: pipeline overhead, two-pass and single-pass, graph off and on');
  const pipeline = [
    await benchEngramPipeline('two-pass', options),
    await benchEngramPipeline('single-pass', options),
    await benchEngramPipeline('two-pass', options, true),
    await benchEngramPipeline('single-pass', options, true),
  ];
  const engramPeak = peakRssMiB();

  const serverLoad: ServerLoadSection = options.serverLoad
    ? await measureServerLoad(options.serverLoad, log)
    : { measured: false, reason: 'skipped by option (--no-server-load)' };

  const postgres: PostgresSection = options.postgres
    ? await benchPostgres(options.postgres, log)
    : { measured: false, reason: 'skipped by option (--no-postgres)' };

  const observe = await observeSection(options.observe, log);

  const sideBySide: SideBySide = options.mem0
    ? await runSideBySide(options.mem0, options, log)
    : { status: 'skipped', reason: 'skipped by option (--no-mem0)' };

  const { log: _, ...printable } = options;
  return {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      loadAverageAtStart: Math.round(loadAverageAtStart * 100) / 100,
      loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    },
    commit: gitCommit(),
    options: printable,
    scopes,
    pipeline,
    peakRssMiB: { engram: engramPeak, wholeRun: peakRssMiB() },
    serverLoad,
    postgres,
    observe,
    sideBySide,
  };
}

async function observeSection(
  settings: BenchOptions['observe'],
  log: (line: string) => void,
): Promise<ObserveSection> {
  if (!settings) return { measured: false, reason: 'skipped by option (--no-observe)' };
  if (!existsSync(settings.dataPath)) {
    return { measured: false, reason: `no LoCoMo data at ${settings.dataPath} (pass --locomo <path>)` };
  }
  try {
    return { measured: true, report: await runObserveBench({ ...settings, log }) };
  } catch (error) {
    return { measured: false, reason: `the observe bench failed: ${messageOf(error)}` };
  }
}

async function runSideBySide(
  settings: Exclude<BenchOptions['mem0'], false>,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<SideBySide> {
  const stateDir = settings.stateDir ?? mkdtempSync(join(tmpdir(), 'mem0-state-'));
  let mem0: Awaited<ReturnType<typeof loadMem0>>;
  try {
    mem0 = await loadMem0(stateDir);
  } catch (error) {
    return { status: 'failed', reason: `mem0ai/oss could not be loaded: ${messageOf(error)}` };
  }
  const server = await startFakeOpenAIServer({ dimensions: 384 });
  try {
    const all = benchQueries(settings.queries + settings.warmupQueries, syntheticTexts);
    const warmupQueries = all.slice(0, settings.warmupQueries);
    const queries = all.slice(settings.warmupQueries);
    const scopes: SideBySideScope[] = [];
    let lastRate: number | undefined;
    for (const size of settings.sizes) {
      let mem0Result: Mem0ScopeResult;
      const projected = lastRate === undefined ? 0 : size / lastRate;
      if (projected > settings.maxIngestSeconds) {
        mem0Result = {
          measured: false,
          memories: size,
          reason:
            `not attempted: at the ${lastRate}/s mem0 reached on the previous size, ingesting ` +
            `${size.toLocaleString('en')} memories would take about ${Math.round(projected / 60)} min, ` +
            `over the ${Math.round(settings.maxIngestSeconds / 60)} min budget (raise it with --mem0-max-ingest-min)`,
        };
      } else {
        log(`mem0: scope of ${size.toLocaleString('en')} memories`);
        try {
          mem0Result = await benchMem0Scope({
            mem0,
            baseUrl: server.baseUrl,
            size,
            queries,
            warmupQueries,
            log,
            maxIngestSeconds: settings.maxIngestSeconds,
          });
        } catch (error) {
          mem0Result = { measured: false, memories: size, reason: `mem0 failed: ${messageOf(error)}` };
        }
      }
      if (mem0Result.measured) lastRate = mem0Result.addPerSecond;
      let engram: SideBySideScope['engram'];
      if (mem0Result.measured) {
        log(`engram: scope of ${size.toLocaleString('en')} memories over the fake OpenAI server`);
        engram = await benchEngramScope({ size, queries, warmupQueries, openAIBaseUrl: server.baseUrl, log });
      } else {
        engram = {
          measured: false,
          reason:
            'not run: mem0 has no figure at this size to compare with (engram in-process figures are above)',
        };
      }
      scopes.push({ memories: size, engram, mem0: mem0Result });
    }

    log('side by side: the scripted conversation over the fake OpenAI server');
    const engramPipelines = [
      await benchEngramPipelineHttp('two-pass', server, options),
      await benchEngramPipelineHttp('single-pass', server, options),
    ];
    let mem0Pipeline: PipelineResult | { measured: false; reason: string };
    try {
      mem0Pipeline = await benchMem0Pipeline(mem0, server, options);
    } catch (error) {
      mem0Pipeline = { measured: false, reason: `mem0 failed: ${messageOf(error)}` };
    }
    return {
      status: 'measured',
      mem0Version: mem0.version,
      scopes,
      pipeline: { engram: engramPipelines, mem0: mem0Pipeline },
    };
  } catch (error) {
    return { status: 'failed', reason: messageOf(error) };
  } finally {
    await server.close();
    if (!settings.stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
}
