import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ScopedMemory } from '../../memory/access/scoped-memory.js';
import type { MemoryItem } from '../../memory/api-types.js';
import type { Filter } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { AppEnv } from '../app-env.js';
import { HttpError } from '../http-error.js';
import type { Mem0Platform } from '../mem0-platform.js';
import { shapeExport } from '../memory-exports.js';
import { parseBody } from '../parse-input.js';
import type { ProjectSettings } from '../project-settings.js';
import { filterRefusals, filtersSchema, platformItem, type Refusal, refuse } from './platform-shapes.js';

/** The organisation every engram project belongs to; the project id is the tenant. */
export const ORG_ID = 'engram';

const instructions = z.union([z.string(), z.array(z.string())]).nullable();
const projectPatch = z.looseObject({
  custom_instructions: instructions.optional(),
  agent_custom_instructions: z.string().nullable().optional(),
  description: z.string().max(2000).nullable().optional(),
});
/** Project fields mem0 has and engram cannot honour, and why (any other unknown field is refused too). */
const UNHONOURED: Record<string, string> = {
  name: 'the project is the tenant of the API key; its name is the tenant name',
  custom_categories: 'engram extracts categories with its own prompt; it takes no catalogue',
  multilingual: 'engram stores facts in the language the model writes them',
  memory_depth: 'engram has no extraction depth setting; use custom_instructions',
  decay: "engram's ranking always weighs recency (config search.halfLifeDays)",
  enable_graph: "the graph is switched on in engram's config (graph.enabled), for every tenant",
  version: 'engram has one API version',
};
const feedbackBody = z.object({
  memory_id: z.string().min(1),
  feedback: z.enum(['POSITIVE', 'NEGATIVE', 'VERY_NEGATIVE']).nullable().optional(),
  feedback_reason: z.string().max(2000).nullable().optional(),
});
const exportBody = z.looseObject({
  schema: z.looseObject({}),
  filters: filtersSchema,
  export_instructions: z.string().optional(),
});
const exportQuery = z.looseObject({
  memory_export_id: z.string().min(1).optional(),
  filters: filtersSchema.optional(),
});
/** The most memories one export reads. */
export const MAX_EXPORT = 10_000;

/**
 * mem0's project-level calls: ping (which tells the client its org and project), the project's
 * settings, feedback on a memory, and memory exports.
 */
export function platformProjectRoutes(platform: Mem0Platform): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/v1/ping/', (c) => {
    const tenant = c.get('scoped').principal.tenant;
    return c.json({
      status: 'ok',
      message: 'engram',
      org_id: ORG_ID,
      project_id: tenant,
      user_email: null,
      tenant,
    });
  });

  const projectPath = '/api/v1/orgs/organizations/:org/projects/:project/';
  app.get(projectPath, async (c) => {
    const tenant = projectOf(c);
    const project = projectView(tenant, await platform.projects.get(tenant));
    const fields = c.req.queries('fields');
    if (fields === undefined || fields.length === 0) return c.json(project);
    return c.json(Object.fromEntries(Object.entries(project).filter(([k]) => fields.includes(k))));
  });

  app.patch(projectPath, async (c) => {
    const tenant = projectOf(c);
    requireUnpinned(c.get('scoped'), 'Changing the project');
    const body = await parseBody(c, projectPatch);
    const known = new Set(['custom_instructions', 'agent_custom_instructions', 'description']);
    refuse(
      Object.keys(body)
        .filter((k) => !known.has(k) && body[k] !== undefined)
        .map((k): Refusal => ({ field: k, why: UNHONOURED[k] ?? 'not a project setting engram keeps' })),
    );
    const text = (v: string | string[] | null | undefined) => {
      if (v === undefined) return undefined;
      const joined = Array.isArray(v) ? v.join('\n') : v;
      return joined === null || joined.trim() === '' ? null : joined.trim();
    };
    const patch: Partial<Omit<ProjectSettings, 'updated_at'>> = {};
    const custom = text(body.custom_instructions);
    const agent = text(body.agent_custom_instructions);
    if (custom !== undefined) patch.custom_instructions = custom;
    if (agent !== undefined) patch.agent_custom_instructions = agent;
    if (body.description !== undefined) patch.description = body.description;
    await platform.projects.update(tenant, patch);
    return c.json({ message: 'Project updated successfully' });
  });

  // Feedback is kept with the memory, in its metadata (`feedback`, `feedback_reason`); null clears it.
  app.post('/v1/feedback/', async (c) => {
    const body = await parseBody(c, feedbackBody);
    const feedback = body.feedback ?? null;
    const reason = body.feedback_reason ?? null;
    await c.get('scoped').update(body.memory_id, { metadata: { feedback, feedback_reason: reason } });
    return c.json({ id: body.memory_id, feedback, feedback_reason: reason });
  });

  app.post('/v1/exports/', async (c) => {
    const body = await parseBody(c, exportBody);
    refuse([
      ...filterRefusals(body.filters),
      ...(body.export_instructions === undefined
        ? []
        : [
            {
              field: 'export_instructions',
              why: 'engram fills the schema from the memories without a model',
            },
          ]),
    ]);
    const scoped = c.get('scoped');
    // The filters are checked now (scope, pin, syntax), so a bad export fails when it is created.
    await scoped.getAll({ filters: body.filters as Filter, limit: 1 });
    const created = await platform.exports.create(
      scoped.principal.tenant,
      body.schema,
      body.filters as Record<string, unknown>,
    );
    return c.json(
      {
        message: 'Memory export request received. The export will be ready in a few seconds.',
        id: created.id,
      },
      201,
    );
  });

  // Computed on read: the memories the export's filters select now, shaped by its schema.
  app.post('/v1/exports/get/', async (c) => {
    const body = await parseBody(c, exportQuery);
    if (body.memory_export_id === undefined && body.filters === undefined) {
      throw new HttpError(400, 'invalid_input', 'Give memory_export_id or the filters of an export.', {
        details: { fields: [{ path: 'memory_export_id', message: 'required when filters are absent' }] },
      });
    }
    const scoped = c.get('scoped');
    const found = await platform.exports.find(scoped.principal.tenant, {
      id: body.memory_export_id,
      filters: body.filters as Record<string, unknown> | undefined,
    });
    const memories = await exported(scoped, found.filters as Filter);
    return c.json(shapeExport(found.schema, memories.map(platformItem)));
  });

  return app;
}

/** The tenant a project path names: this key's own, or 404 like another tenant's id. */
function projectOf(c: Context<AppEnv>): string {
  const tenant = c.get('scoped').principal.tenant;
  const org = c.req.param('org');
  const project = c.req.param('project');
  if (org !== ORG_ID || project !== tenant) {
    throw new MemoryError('not_found', `No project ${project} in organization ${org} for this API key.`, {
      details: { org_id: org, project_id: project },
    });
  }
  return tenant;
}

/** Project settings apply to every scope of the tenant, so a key pinned to one may not change them. */
export function requireUnpinned(scoped: ScopedMemory, operation: string): void {
  const { userId, agentId } = scoped.principal.pin;
  if (userId === null && agentId === null) return;
  const [field, pinned] = userId !== null ? ['user_id', userId] : ['agent_id', agentId];
  throw new MemoryError(
    'scope_forbidden',
    `This API key is pinned to ${field} "${pinned}"; ${operation} concerns every scope of the tenant. Use an unpinned key of the tenant.`,
    { details: { operation, field, pinned } },
  );
}

function projectView(tenant: string, project: ProjectSettings) {
  return {
    project_id: tenant,
    org_id: ORG_ID,
    name: tenant,
    description: project.description,
    custom_instructions: project.custom_instructions,
    agent_custom_instructions: project.agent_custom_instructions,
    custom_categories: [],
    updated_at: project.updated_at,
  };
}

async function exported(scoped: ScopedMemory, filters: Filter): Promise<MemoryItem[]> {
  const all: MemoryItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await scoped.getAll({ filters, limit: 1000, ...(cursor ? { cursor } : {}) });
    all.push(...page.results);
    if (all.length > MAX_EXPORT) {
      throw new HttpError(
        400,
        'invalid_input',
        `An export reads at most ${MAX_EXPORT} memories; narrow its filters.`,
        {
          details: { limit: MAX_EXPORT },
        },
      );
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}
