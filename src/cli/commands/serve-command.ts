import type { Command } from 'commander';
import { IngestWorker } from '../../ingest/ingest-worker.js';
import { streamableHttpHandler } from '../../mcp/streamable-http-handler.js';
import { Memory } from '../../memory/memory.js';
import { createChatModel, createEmbedder } from '../../providers/registry.js';
import { JsonLogger } from '../../server/json-logger.js';
import { type HealthCheck, isLoopback, serve } from '../../server/serve.js';
import { MemoryError } from '../../spec/memory-error.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { configSources } from '../open-memory.js';
import { parseIntegerFlag } from '../parse-flags.js';

export const serveCommand: RegisterCommand = (program, context) => {
  program
    .command('serve')
    .description('run the HTTP server: native REST + OpenAPI, mem0 OSS and platform routes, /mcp, /metrics')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8765')
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
      'how long a leased job is held before another worker may take it over',
      '120000',
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const host = String(options.host);
      const auth = options.auth !== false;
      if (!auth && !isLoopback(host)) {
        throw new MemoryError(
          'invalid_input',
          `--no-auth is allowed only on a loopback address (127.0.0.1, ::1, localhost), not ${host}.`,
        );
      }
      const port = parseIntegerFlag(String(options.port), '--port') ?? 8765;
      const rate =
        String(options.rate).trim() === '0' ? 0 : (parseIntegerFlag(String(options.rate), '--rate') ?? 50);
      const { input, options: loadOptions } = configSources(globals, context);
      const memory = new Memory(input, { env: loadOptions.env, cwd: loadOptions.cwd });
      // A database that is not engram's, is damaged or cannot be opened stops the start-up here,
      // instead of a server whose every call is a 500.
      const database = await memory.health();
      if (!database.ok) {
        await memory.close();
        throw new MemoryError('store_error', `Not serving: ${database.detail}`);
      }
      const logger = new JsonLogger((line) => context.io.stdout(line));
      const concurrency = parseIntegerFlag(String(options.workers), '--workers') ?? 2;
      const worker =
        concurrency > 0
          ? new IngestWorker(memory, {
              concurrency,
              batchSize: parseIntegerFlag(String(options.batch), '--batch') ?? 16,
              intervalMs: parseIntegerFlag(String(options.pollMs), '--poll-ms') ?? 250,
              leaseMs: parseIntegerFlag(String(options.leaseMs), '--lease-ms') ?? 120_000,
              onError: (error) =>
                logger.error('ingest', { error: error instanceof Error ? error.message : String(error) }),
            })
          : null;
      worker?.start();
      // Shutdown drains HTTP first, then the worker, so accepted jobs finish or stay queued.
      const server = await serve({
        memory,
        host,
        port,
        auth,
        logger,
        checks: dependencyChecks(memory),
        maxBodyBytes: parseIntegerFlag(String(options.maxBody), '--max-body'),
        rateLimit: rate === 0 ? null : { perSecond: rate, burst: rate * 2 },
        workers: worker ? [worker] : [],
        // The composition root: the HTTP server mounts MCP without importing it.
        mcp: streamableHttpHandler(),
      });
      logger.info('listening', { url: server.url, auth, tenant: memory.tenant });
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
