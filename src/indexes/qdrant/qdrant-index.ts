import { createHash } from 'node:crypto';
import type { QdrantClient, Schemas } from '@qdrant/js-client-rest';
import { z } from 'zod';
import { MemoryError } from '../../spec/memory-error.js';
import type { IndexHit, IndexPoint, IndexQuery, VectorIndex } from '../../spec/vector-index.js';
import { parseBaseUrl } from '../../util/base-url.js';
import { checkWidth, latestPerMemory } from '../shared/index-points.js';
import { httpStatusOf, type QdrantTarget, qdrantFailure } from './qdrant-failure.js';

type QdrantModule = typeof import('@qdrant/js-client-rest');
type CollectionInfo = Schemas['CollectionInfo'];
type Condition = Schemas['Condition'];

export interface QdrantIndexOptions {
  /** e.g. http://localhost:6333; without a port, Qdrant's 6333 (as every Qdrant client does). */
  url: string;
  apiKey?: string | undefined;
  collection: string;
  /** Per request (default 30 s). */
  timeoutMs?: number | undefined;
}

export interface QdrantIndexDeps {
  /** Loads the optional client package; tests inject a failing one. */
  importClient?: () => Promise<QdrantModule>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const QDRANT_DEFAULT_PORT = 6333;
const REINDEX = '`engram reindex --index qdrant`';
/** Payload fields every query or remove filters on; `tenant` is Qdrant's multitenancy key. */
const KEYWORD_FIELDS = ['tenant', 'user_id', 'agent_id', 'run_id', 'memory_id'] as const;
const SCOPE_FIELDS = [
  ['userId', 'user_id'],
  ['agentId', 'agent_id'],
  ['runId', 'run_id'],
] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const optionsSchema = z.object({
  url: z.string().trim().min(1, 'is required, e.g. http://localhost:6333'),
  apiKey: z.string().min(1, 'must not be empty (leave it out when the server has no key)').optional(),
  collection: z
    .string()
    .min(1, 'is required')
    .max(255)
    .regex(/^[^/\\\s]+$/, 'must not contain slashes or spaces'),
  timeoutMs: z.number().int().positive().optional(),
});

const hitPayloadSchema = z.object({ memory_id: z.string(), version: z.number() });

/**
 * The Qdrant adapter of the derived vector index: one collection, one point per memory (its
 * current version), cosine distance, tenant and scope ids in the payload and filtered inside
 * Qdrant. Queries go through the universal Query API (`POST /collections/{c}/points/query`,
 * Qdrant ≥ 1.10), not the deprecated search endpoint.
 */
export class QdrantIndex implements VectorIndex {
  readonly name = 'qdrant';
  readonly location: string;
  readonly #client: QdrantClient;
  readonly #target: QdrantTarget;
  #closed = false;

  private constructor(client: QdrantClient, target: QdrantTarget) {
    this.#client = client;
    this.#target = target;
    this.location = `qdrant ${target.url} collection ${target.collection}`;
  }

  static async open(options: QdrantIndexOptions, deps: QdrantIndexDeps = {}): Promise<QdrantIndex> {
    const settings = parseOptions(options);
    const { QdrantClient } = await loadClient(deps.importClient);
    const client = new QdrantClient({
      host: settings.host,
      port: settings.port,
      https: settings.https,
      prefix: settings.prefix,
      // As a header, not `apiKey`: the client would console.warn on every open over plain http.
      headers: settings.apiKey === undefined ? {} : { 'api-key': settings.apiKey },
      timeout: settings.target.timeoutMs,
      // The check is a fire-and-forget GET / that console.warns; failures surface on real calls.
      checkCompatibility: false,
    });
    return new QdrantIndex(client, settings.target);
  }

  async prepare(dimensions: number): Promise<void> {
    checkWidth(dimensions);
    let found = await this.#describe();
    if (found === null) {
      if (await this.#create(dimensions, { tolerateExisting: true })) return;
      // Another process created it between our look and our create.
      found = await this.#describe();
      if (found === null) throw this.#unexpected('the collection vanished right after Qdrant said it exists');
    }
    const info = found;
    this.#checkLayout(info, dimensions);
    await this.#indexPayload(KEYWORD_FIELDS.filter((field) => info.payload_schema[field] === undefined));
  }

  async reset(dimensions: number): Promise<void> {
    checkWidth(dimensions);
    // Qdrant answers `result: false` (not 404) when there was nothing to drop.
    await this.#call('drop the collection', (c) => c.deleteCollection(this.#target.collection));
    await this.#create(dimensions, { tolerateExisting: false });
  }

  async upsert(points: IndexPoint[]): Promise<void> {
    this.#assertOpen();
    if (points.length === 0) return;
    const latest = latestPerMemory(points);
    await this.#call(`write ${latest.length} points`, (c) =>
      c.upsert(this.#target.collection, {
        wait: true,
        points: latest.map((point) => ({
          id: pointId(point.memoryId),
          vector: Array.from(point.vector),
          payload: {
            tenant: point.tenant,
            memory_id: point.memoryId,
            version: point.version,
            user_id: point.userId,
            agent_id: point.agentId,
            run_id: point.runId,
          },
        })),
      }),
    );
  }

  async remove(memoryIds: string[]): Promise<void> {
    this.#assertOpen();
    if (memoryIds.length === 0) return;
    // By payload, not point id: it removes every point of the memory whatever id it was written under.
    await this.#call(`remove ${memoryIds.length} memories`, (c) =>
      c.delete(this.#target.collection, {
        wait: true,
        filter: { must: [{ key: 'memory_id', match: { any: [...new Set(memoryIds)] } }] },
      }),
    );
  }

  async query(query: IndexQuery): Promise<IndexHit[]> {
    this.#assertOpen();
    if (query.limit < 1) return [];
    const must: Condition[] = [{ key: 'tenant', match: { value: query.tenant } }];
    for (const [scopeKey, field] of SCOPE_FIELDS) {
      const value = query.scope[scopeKey];
      if (value !== undefined) must.push({ key: field, match: { value } });
    }
    const result = await this.#call('search', (c) =>
      c.query(this.#target.collection, {
        query: Array.from(query.vector),
        filter: { must },
        limit: Math.floor(query.limit),
        with_payload: ['memory_id', 'version'],
      }),
    );
    return result.points.map((point) => {
      const payload = hitPayloadSchema.safeParse(point.payload);
      if (!payload.success) {
        throw this.#unexpected(
          `point ${String(point.id)} lacks engram's payload (memory_id, version); is the collection shared with another application? Give engram its own collection and run ${REINDEX}`,
        );
      }
      // Qdrant normalizes vectors of a Cosine collection, so its score is the cosine similarity.
      return { memoryId: payload.data.memory_id, version: payload.data.version, score: point.score };
    });
  }

  async count(): Promise<number> {
    const result = await this.#call('count points', (c) => c.count(this.#target.collection, { exact: true }));
    return result.count;
  }

  async close(): Promise<void> {
    // The client keeps no resources of its own to release: its undici pool unrefs idle sockets.
    this.#closed = true;
  }

  /** The collection's description, or null when Qdrant has none of that name. */
  async #describe(): Promise<CollectionInfo | null> {
    this.#assertOpen();
    try {
      return await this.#client.getCollection(this.#target.collection);
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw qdrantFailure(error, this.#target, 'describe the collection');
    }
  }

  /** Creates the collection and its payload indexes; false when it already existed (and tolerated). */
  async #create(dimensions: number, { tolerateExisting }: { tolerateExisting: boolean }): Promise<boolean> {
    this.#assertOpen();
    try {
      await this.#client.createCollection(this.#target.collection, {
        vectors: { size: dimensions, distance: 'Cosine' },
      });
    } catch (error) {
      if (tolerateExisting && httpStatusOf(error) === 409) return false;
      throw qdrantFailure(error, this.#target, 'create the collection');
    }
    await this.#indexPayload(KEYWORD_FIELDS);
    return true;
  }

  async #indexPayload(fields: readonly string[]): Promise<void> {
    for (const field of fields) {
      await this.#call(`index the payload field ${field}`, (c) =>
        c.createPayloadIndex(this.#target.collection, {
          wait: true,
          field_name: field,
          field_schema: field === 'tenant' ? { type: 'keyword', is_tenant: true } : 'keyword',
        }),
      );
    }
  }

  #checkLayout(info: CollectionInfo, dimensions: number): void {
    const vectors = info.config.params.vectors;
    // VectorsConfig is one unnamed VectorParams or a map of named ones.
    const single =
      vectors !== undefined && typeof vectors.size === 'number'
        ? (vectors as Schemas['VectorParams'])
        : undefined;
    const where = `The Qdrant collection ${this.#target.collection} at ${this.#target.url}`;
    if (single === undefined) {
      throw new MemoryError(
        'index_error',
        `${where} has named or sparse vectors, not the single unnamed vector engram writes. Give engram its own collection, or drop this one with ${REINDEX}.`,
        { url: this.#target.url },
      );
    }
    const size = single.size;
    if (size !== dimensions) {
      throw new MemoryError(
        'dimension_mismatch',
        `${where} holds vectors of ${size} dimensions, but the embedder makes ${dimensions}. Run ${REINDEX} to rebuild it for the current model.`,
        { url: this.#target.url, details: { expected: dimensions, found: size } },
      );
    }
    if (single.distance !== 'Cosine') {
      throw new MemoryError(
        'index_error',
        `${where} uses ${single.distance} distance; engram needs Cosine. Run ${REINDEX} to rebuild it.`,
        { url: this.#target.url },
      );
    }
  }

  async #call<T>(doing: string, run: (client: QdrantClient) => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await run(this.#client);
    } catch (error) {
      throw qdrantFailure(error, this.#target, doing);
    }
  }

  #unexpected(problem: string): MemoryError {
    return new MemoryError('index_error', `Qdrant at ${this.#target.url}: ${problem}.`, {
      url: this.#target.url,
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new MemoryError('closed', `The Qdrant index (${this.location}) is closed.`);
  }
}

/**
 * Qdrant takes only unsigned integers and UUIDs as point ids: a UUID memory id is used as is, any
 * other id becomes a UUID built from its SHA-1 (version 5 layout), the same on every run.
 */
export function pointId(memoryId: string): string {
  if (UUID.test(memoryId)) return memoryId.toLowerCase();
  const bytes = createHash('sha1').update(memoryId, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface QdrantSettings {
  host: string;
  port: number;
  https: boolean;
  prefix: string | undefined;
  apiKey: string | undefined;
  target: QdrantTarget;
}

function parseOptions(options: QdrantIndexOptions): QdrantSettings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new MemoryError('invalid_config', `Invalid Qdrant index options: ${problems.join('; ')}.`);
  }
  const { url: raw, apiKey, collection, timeoutMs = DEFAULT_TIMEOUT_MS } = parsed.data;
  const url = parseBaseUrl(raw, 'Qdrant url');
  const https = url.protocol === 'https:';
  // URL drops a port equal to the scheme's default; a user who wrote :443 or :80 means it.
  const explicitDefault = /^[a-z]+:\/\/[^/?#]*:\d+(?:[/?#]|$)/i.test(raw.trim());
  const port =
    url.port !== '' ? Number(url.port) : explicitDefault ? (https ? 443 : 80) : QDRANT_DEFAULT_PORT;
  const prefix = url.pathname === '' || url.pathname === '/' ? undefined : url.pathname;
  const base = `${url.protocol}//${url.hostname}:${port}${prefix ?? ''}`;
  return { host: url.hostname, port, https, prefix, apiKey, target: { url: base, collection, timeoutMs } };
}

async function loadClient(importClient?: () => Promise<QdrantModule>): Promise<QdrantModule> {
  try {
    return await (importClient ?? (() => import('@qdrant/js-client-rest')))();
  } catch (cause) {
    const missing = (cause as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND';
    throw new MemoryError(
      'invalid_config',
      missing
        ? 'The Qdrant index needs the optional package @qdrant/js-client-rest: install it with `npm install @qdrant/js-client-rest`.'
        : `Could not load @qdrant/js-client-rest (${cause instanceof Error ? cause.message : String(cause)}); reinstall it with \`npm install @qdrant/js-client-rest\`.`,
      { cause },
    );
  }
}
