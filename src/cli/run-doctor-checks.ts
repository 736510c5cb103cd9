import {
  type EngramConfig,
  type EngramConfigInput,
  type LoadConfigOptions,
  loadConfigWithWarnings,
} from '../config/index.js';
import { Memory } from '../memory/memory.js';
import { createChatModel, createEmbedder } from '../providers/registry.js';
import type { Embedder, ProviderHealth } from '../spec/embedder.js';
import type { StoreStats } from '../spec/store.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

type DoctorOptions = LoadConfigOptions & { env: NodeJS.ProcessEnv; cwd: string };

/**
 * Every check runs even after one fails, so one run shows everything to fix; only an invalid
 * config stops early, because every other check is built from it.
 */
export async function runDoctorChecks(
  input: EngramConfigInput,
  options: DoctorOptions,
): Promise<DoctorCheck[]> {
  let config: EngramConfig;
  let warnings: string[];
  try {
    ({ config, warnings } = loadConfigWithWarnings(input, options));
  } catch (error) {
    return [{ name: 'config', ok: false, detail: messageOf(error) }];
  }
  const checks: DoctorCheck[] = [
    {
      name: 'config',
      ok: true,
      detail: `valid (db ${config.dbPath}, tenant ${config.tenant})${warnings.length > 0 ? `; warnings: ${warnings.join('; ')}` : ''}`,
    },
  ];

  const database = await checkDatabase(input, options, config);
  checks.push(database.check);

  const embedder = safely(() =>
    config.embedder === null ? null : createEmbedder(config.embedder, { env: options.env }),
  );
  if (embedder instanceof Error) {
    checks.push({ name: 'embedder', ok: false, detail: embedder.message });
  } else if (embedder === null) {
    checks.push({ name: 'embedder', ok: true, detail: 'none configured: search is keyword-only' });
  } else {
    checks.push({ name: 'embedder', ...(await health(embedder.health?.bind(embedder), embedder.id)) });
    checks.push(await checkDimensions(embedder, database.stats));
  }

  if (config.llm.length === 0) {
    checks.push({
      name: 'llm',
      ok: true,
      detail: 'none configured: add works only with --no-infer (set ENGRAM_LLM, e.g. ollama:llama3.2:3b)',
    });
  }
  for (const [i, settings] of config.llm.entries()) {
    const name = config.llm.length === 1 ? 'llm' : `llm[${i}]`;
    const model = safely(() => createChatModel(settings, { env: options.env }));
    checks.push(
      model instanceof Error
        ? { name, ok: false, detail: model.message }
        : { name, ...(await health(model.health?.bind(model), model.id)) },
    );
  }
  return checks;
}

async function checkDatabase(
  input: EngramConfigInput,
  options: DoctorOptions,
  config: EngramConfig,
): Promise<{ check: DoctorCheck; stats: StoreStats | null }> {
  // The config check above lists the warnings; they are not printed a second time.
  const memory = new Memory(input, { env: options.env, cwd: options.cwd, onWarning: () => {} });
  try {
    const stats = await memory.stats();
    const ok = stats.health.ok;
    const counts = `schema v${stats.schemaVersion}, ${stats.memories} memories, ${stats.vectors} vectors`;
    return {
      check: {
        name: 'database',
        ok,
        detail: ok
          ? `${config.dbPath} opens, ${stats.health.detail} (${counts})`
          : `${config.dbPath}: ${stats.health.detail}`,
      },
      stats,
    };
  } catch (error) {
    return {
      check: { name: 'database', ok: false, detail: `${config.dbPath}: ${messageOf(error)}` },
      stats: null,
    };
  } finally {
    await memory.close();
  }
}

/** Embeds one probe text and compares it with what the database already holds. */
async function checkDimensions(embedder: Embedder, stats: StoreStats | null): Promise<DoctorCheck> {
  const name = 'dimensions';
  let size: number;
  try {
    const result = await embedder.embed(['engram doctor probe']);
    size = result.embeddings[0]?.length ?? 0;
  } catch (error) {
    return { name, ok: false, detail: `cannot probe ${embedder.id}: ${messageOf(error)}` };
  }
  if (stats === null)
    return { name, ok: false, detail: `${embedder.id} gives ${size}; database not readable` };
  if (stats.dimensions === null) {
    return { name, ok: true, detail: `${embedder.id} gives ${size} dimensions; no vectors stored yet` };
  }
  const sameModel = stats.embeddingModel === null || stats.embeddingModel === embedder.id;
  if (stats.dimensions === size && sameModel) {
    return { name, ok: true, detail: `${embedder.id} gives ${size} dimensions, as stored` };
  }
  return {
    name,
    ok: false,
    detail: `stored vectors are ${stats.dimensions}-dimensional from ${stats.embeddingModel ?? 'an unknown model'}, the configured ${embedder.id} gives ${size}: run \`engram reindex\``,
  };
}

async function health(
  check: (() => Promise<ProviderHealth>) | undefined,
  id: string,
): Promise<ProviderHealth> {
  if (check === undefined) return { ok: true, detail: `${id}: this provider has no health check` };
  try {
    return await check();
  } catch (error) {
    return { ok: false, detail: messageOf(error) };
  }
}

function safely<T>(create: () => T): T | Error {
  try {
    return create();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*-?\s*/g, ' ');
}
