import type { Command } from 'commander';
import { IngestWorker } from '../../ingest/ingest-worker.js';
import { RetentionPurger } from '../../ingest/retention-purger.js';
import { streamableHttpHandler } from '../../mcp/streamable-http-handler.js';
import type { Memory } from '../../memory/memory.js';
import { createChatModel, createEmbedder } from '../../providers/registry.js';
import { JsonLogger } from '../../server/json-logger.js';
import { type HealthCheck, isLoopback, type RunningServer, serve } from '../../server/serve.js';
import { MemoryError } from '../../spec/memory-error.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { openMemory } from '../open-memory.js';
import { parseIntegerFlag } from '../parse-flags.js';

export const serveCommand: RegisterCommand = (program, context) => {
  program
    .command('serve')
    .description('run the HTTP server: native REST + OpenAPI, mem0 OSS and platform routes, /mcp, /metrics')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port, shown in the "listening" line)', '8765')
    .option('--no-auth', 'accept requests without an API key (loopback addresses only)')
    .option('--max-body <bytes>', 'largest request body accepted', String(1024 * 1024))
    .option('--rate <n>', 'requests per second per API key (0: unlimited)', '50')
    .option(
      '--workers <n>',
      'ingest workers: concurrent inference groups (0: no worker in this process)',
      '2',
    )
    .option('--batch <n>', 'most queued adds leased per poll (adds of one scope become one inference)', '16')
    .option('--poll-ms <ms>', 'pause between polls of an empty queue', '250')
    .option(
      '--lease-ms <ms>',
      'how long a leased job is held before another worker may take it over (≥ 1000; renewed while it runs)',
      '120000',
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const flags = serveFlags(options);
      if (!flags.auth && !isLoopback(flags.host)) {
        throw new MemoryError(
          'invalid_input',
          `--no-auth is allowed only on a loopback address (127.0.0.1, ::1, localhost), not ${flags.host}.`,
        );
      }
      const memory = openMemory(globals, context);
      const logger = new JsonLogger((line) => context.io.stdout(line));
      let server: RunningServer;
      try {
        // A database that is not engram's, is damaged or cannot be opened stops the start-up here,
        // instead of a server whose every call is a 500.
        const database = await memory.health();
        if (!database.ok) throw new MemoryError('store_error', `Not serving: ${database.detail}`);
        const worker =
          flags.worker === null
            ? null
            : new IngestWorker(memory, {
                ...flags.worker,
                onError: (error) =>
                  logger.error('ingest', { error: error instanceof Error ? error.message : String(error) }),
              });
        // config.retention.purge: expired memories of every tenant are erased on schedule.
        const purger = memory.config.retention.purge
          ? new RetentionPurger(memory, {
              everyMinutes: memory.config.retention.purgeEveryMinutes,
              onPurge: (report) => {
                if (report.memories > 0) logger.info('purge', { ...report });
              },
              onError: (error) =>
                logger.error('purge', { error: error instanceof Error ? error.message : String(error) }),
            })
          : null;
        // serve() starts the worker once it listens; shutdown drains HTTP first, then the worker,
        // so accepted jobs finish or stay queued.
        server = await serve({
          memory,
          host: flags.host,
          port: flags.port,
          auth: flags.auth,
          logger,
          checks: dependencyChecks(memory),
          maxBodyBytes: flags.maxBodyBytes,
          rateLimit: flags.rate === 0 ? null : { perSecond: flags.rate, burst: flags.rate * 2 },
          workers: [...(worker ? [worker] : []), ...(purger ? [purger] : [])],
          // The composition root: the HTTP server mounts MCP without importing it.
          mcp: streamableHttpHandler(),
        });
      } catch (error) {
        // Nothing may outlive a failed start (an open store, a worker): the process must exit.
        await memory.close();
        throw error;
      }
      logger.info('listening', { url: server.url, auth: flags.auth, tenant: memory.tenant });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info('shutting down', { signal });
          server
            .close()
            .finally(() => memory.close())
            .then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
};

interface ServeFlags {
  host: string;
  port: number;
  auth: boolean;
  maxBodyBytes: number;
  rate: number;
  worker: { concurrency: number; batchSize: number; intervalMs: number; leaseMs: number } | null;
}

/** Every flag checked before anything is opened, so a bad one never leaves a half-started server. */
function serveFlags(options: Record<string, unknown>): ServeFlags {
  const integer = (name: string, flag: string, range?: { min?: number; max?: number }) =>
    parseIntegerFlag(String(options[name]), flag, range) as number;
  const concurrency = integer('workers', '--workers', { min: 0 });
  const worker = {
    concurrency,
    batchSize: integer('batch', '--batch'),
    intervalMs: integer('pollMs', '--poll-ms'),
    // Leases are renewed every third of their length while a job runs; shorter would be all renewals.
    leaseMs: integer('leaseMs', '--lease-ms', { min: 1000 }),
  };
  return {
    host: String(options.host),
    port: integer('port', '--port', { min: 0, max: 65_535 }),
    auth: options.auth !== false,
    maxBodyBytes: integer('maxBody', '--max-body'),
    rate: integer('rate', '--rate', { min: 0 }),
    worker: concurrency === 0 ? null : worker,
  };
}

/** /ready reports the embedder and the first LLM of the chain, each by its own name. */
function dependencyChecks(memory: Memory): Record<string, HealthCheck> {
  const checks: Record<string, HealthCheck> = {};
  const embedderSettings = memory.config.embedder;
  if (embedderSettings !== null) {
    const embedder = createEmbedder(embedderSettings);
    if (embedder.health) checks.embedder = () => embedder.health!();
  }
  const llmSettings = memory.config.llm[0];
  if (llmSettings !== undefined) {
    const llm = createChatModel(llmSettings);
    if (llm.health) checks.llm = () => llm.health!();
  }
  return checks;
}
