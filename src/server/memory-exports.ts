import { randomUUID } from 'node:crypto';
import { MemoryError } from '../spec/memory-error.js';
import type { TenantMeta } from './tenant-meta.js';

type JsonObject = Record<string, unknown>;

/** A memory export as mem0 creates it: a schema and filters; the memories are read when it is fetched. */
export interface ExportRequest {
  id: string;
  schema: JsonObject;
  filters: JsonObject;
  created_at: string;
}

/** Export requests kept per tenant (the oldest are forgotten first). */
const KEEP = 50;

export class MemoryExports {
  readonly #meta: TenantMeta;
  readonly #now: () => string;

  constructor(meta: TenantMeta, now: () => string) {
    this.#meta = meta;
    this.#now = now;
  }

  async create(tenant: string, schema: JsonObject, filters: JsonObject): Promise<ExportRequest> {
    const request: ExportRequest = { id: randomUUID(), schema, filters, created_at: this.#now() };
    return this.#meta.change<ExportRequest[], ExportRequest>('exports', tenant, (current) => ({
      value: [...(current ?? []), request].slice(-KEEP),
      result: request,
    }));
  }

  /** By id, or the newest export created with these filters (mem0's two ways of asking). */
  async find(
    tenant: string,
    query: { id?: string | undefined; filters?: JsonObject | undefined },
  ): Promise<ExportRequest> {
    const all = (await this.#meta.read<ExportRequest[]>('exports', tenant)) ?? [];
    const wanted = query.filters === undefined ? null : canonical(query.filters);
    const found = all
      .filter(
        (e) =>
          (query.id === undefined || e.id === query.id) &&
          (wanted === null || canonical(e.filters) === wanted),
      )
      .at(-1);
    if (!found) {
      throw new MemoryError('not_found', 'No memory export request found.', {
        details: { ...(query.id === undefined ? {} : { id: query.id }) },
      });
    }
    return found;
  }
}

/**
 * The exported memories in the shape the export's JSON schema asks for, without a model: each
 * memory becomes an object of the schema's item properties, a property named like a memory field
 * (id, memory, user_id, created_at, …) taking that field and any other the metadata key of its
 * name (null when absent). A schema whose only property is an array of objects
 * (`{properties: {memories: {type: "array", items: {properties: …}}}}`) gets the memories under
 * that property; any other schema gets them under `results`.
 */
export function shapeExport(schema: JsonObject, memories: JsonObject[]): JsonObject {
  const properties = objectOf(schema.properties);
  const entries = properties === null ? [] : Object.entries(properties);
  if (entries.length === 1) {
    const [name, property] = entries[0]!;
    const items = objectOf(objectOf(property)?.items);
    if (objectOf(property)?.type === 'array' && objectOf(items?.properties) !== null) {
      return { [name]: memories.map((m) => project(m, objectOf(items!.properties)!)) };
    }
  }
  const itemProperties = objectOf(objectOf(schema.items)?.properties) ?? properties;
  return { results: memories.map((m) => (itemProperties === null ? m : project(m, itemProperties))) };
}

function project(memory: JsonObject, properties: JsonObject): JsonObject {
  const metadata = objectOf(memory.metadata) ?? {};
  return Object.fromEntries(
    Object.keys(properties).map((name) => [
      name,
      Object.hasOwn(memory, name) ? memory[name] : Object.hasOwn(metadata, name) ? metadata[name] : null,
    ]),
  );
}

function objectOf(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

/** JSON with object keys sorted, so two spellings of one filter compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const object = objectOf(value);
  if (object === null) return JSON.stringify(value);
  return `{${Object.keys(object)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(object[k])}`)
    .join(',')}}`;
}
