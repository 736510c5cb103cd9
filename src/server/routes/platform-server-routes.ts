import { Hono } from 'hono';
import { z } from 'zod';
import type { Memory } from '../../memory/memory.js';
import { getProvider, listProviders } from '../../providers/registry.js';
import type { AppEnv } from '../app-env.js';
import type { Mem0Platform } from '../mem0-platform.js';
import { parseBody } from '../parse-input.js';
import { type Refusal, refuse } from './platform-shapes.js';

const configureBody = z.looseObject({ custom_instructions: z.string().nullable().optional() });

/** Why each part of a mem0 server config cannot change while engram runs. */
const FIXED: Record<string, string> = {
  llm: "engram's models are set in engram.config.json (llm) and read at start-up",
  embedder: "engram's embedder is set in engram.config.json (embedder) and read at start-up",
  vector_store: "engram's store is set in engram.config.json (store, index) and read at start-up",
  graph_store: 'the graph is switched on in engram.config.json (graph.enabled)',
  history_db_path: 'history lives in the same store as the memories',
};

/**
 * The routes of mem0's self-hosted server that engram's native REST API lacks: its configuration
 * (read it; change only what can change while running: the tenant's custom instructions).
 * `/memories`, `/search`, `/reset` and the rest are the native routes (memory-routes.ts); `/entities`
 * is with the platform's entities.
 */
export function platformServerRoutes(platform: Mem0Platform): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/configure', async (c) => {
    const scoped = c.get('scoped');
    const project = await platform.projects.get(scoped.principal.tenant);
    return c.json({ ...configView(scoped.memory), custom_instructions: project.custom_instructions });
  });

  app.get('/configure/providers', (c) => {
    const names = listProviders();
    return c.json({
      llm: names.filter((n) => getProvider(n).chat !== undefined),
      embedder: names.filter((n) => getProvider(n).embedder !== undefined),
    });
  });

  app.post('/configure', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Configuring the server');
    const body = await parseBody(c, configureBody);
    refuse(
      Object.keys(body)
        .filter((k) => k !== 'custom_instructions' && body[k] !== undefined)
        .map(
          (k): Refusal => ({
            field: k,
            why:
              FIXED[k] ??
              'engram reads its configuration at start-up; restart with engram.config.json changed',
          }),
        ),
    );
    if (body.custom_instructions !== undefined) {
      const text = body.custom_instructions?.trim() || null;
      await platform.projects.update(scoped.principal.tenant, { custom_instructions: text });
    }
    return c.json({ message: 'Configuration set successfully' });
  });

  return app;
}

/** engram's configuration in mem0's shape, without keys, URLs or paths. */
function configView(memory: Memory) {
  const { config } = memory;
  const model = (s: { provider: string; model: string }) => ({
    provider: s.provider,
    config: { model: s.model },
  });
  return {
    version: 'engram',
    llm: config.llm[0] === undefined ? null : model(config.llm[0]),
    llm_fallbacks: config.llm.slice(1).map(model),
    embedder: config.embedder === null ? null : model(config.embedder),
    vector_store: { provider: config.index?.provider ?? config.store?.provider ?? 'sqlite' },
    graph_store: config.graph.enabled ? { provider: 'engram' } : null,
  };
}
