import type { TenantMeta } from './tenant-meta.js';

/** What a tenant's mem0 project keeps: the extraction instructions its inferred adds follow. */
export interface ProjectSettings {
  description: string | null;
  /** Added to the extraction prompt of every inferred add of the tenant. */
  custom_instructions: string | null;
  /** Used instead for an add scoped to an agent without a user (mem0's rule). */
  agent_custom_instructions: string | null;
  updated_at: string | null;
}

const EMPTY: ProjectSettings = {
  description: null,
  custom_instructions: null,
  agent_custom_instructions: null,
  updated_at: null,
};

/** The mem0 project of each tenant (the project id is the tenant). */
export class Projects {
  readonly #meta: TenantMeta;
  readonly #now: () => string;

  constructor(meta: TenantMeta, now: () => string) {
    this.#meta = meta;
    this.#now = now;
  }

  async get(tenant: string): Promise<ProjectSettings> {
    return { ...EMPTY, ...(await this.#meta.read<ProjectSettings>('project', tenant)) };
  }

  async update(
    tenant: string,
    patch: Partial<Omit<ProjectSettings, 'updated_at'>>,
  ): Promise<ProjectSettings> {
    return this.#meta.change<ProjectSettings, ProjectSettings>('project', tenant, (current) => {
      const value = { ...EMPTY, ...current, ...patch, updated_at: this.#now() };
      return { value, result: value };
    });
  }

  /** The instructions an inferred add of this scope follows, if the project has any. */
  async instructionsFor(
    tenant: string,
    scope: { userId?: string; agentId?: string },
  ): Promise<string | null> {
    const project = await this.get(tenant);
    const agentOnly = scope.agentId !== undefined && scope.userId === undefined;
    return (agentOnly ? project.agent_custom_instructions : null) ?? project.custom_instructions;
  }
}
