import type { EngramConfig } from '../../config/index.js';
import { createChatModel, createEmbedder } from '../../providers/registry.js';
import type { ProviderHealth } from '../../spec/embedder.js';

export interface DemoMode {
  llm: boolean;
  embedder: boolean;
  llmDetail: string;
  embedderDetail: string;
}

const HEALTH_TIMEOUT_MS = 3000;

/** Asks the configured LLM and embedder whether they are there, quickly, never throwing. */
export async function detectDemoMode(config: EngramConfig, env: NodeJS.ProcessEnv): Promise<DemoMode> {
  const llmSettings = config.llm[0];
  const [llm, embedder] = await Promise.all([
    llmSettings
      ? probe(() => createChatModel(llmSettings, { env }).health?.())
      : none('no LLM is configured'),
    config.embedder
      ? probe(() => createEmbedder(config.embedder!, { env }).health?.())
      : none('no embedder is configured'),
  ]);
  return { llm: llm.ok, embedder: embedder.ok, llmDetail: llm.detail, embedderDetail: embedder.detail };
}

async function none(detail: string): Promise<ProviderHealth> {
  return { ok: false, detail };
}

async function probe(check: () => Promise<ProviderHealth> | undefined): Promise<ProviderHealth> {
  try {
    const pending = check();
    if (!pending) return { ok: true, detail: 'no health check; assumed reachable' };
    const timeout = new Promise<ProviderHealth>((resolve) => {
      setTimeout(
        () => resolve({ ok: false, detail: `no answer within ${HEALTH_TIMEOUT_MS} ms` }),
        HEALTH_TIMEOUT_MS,
      ).unref();
    });
    return await Promise.race([pending, timeout]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
