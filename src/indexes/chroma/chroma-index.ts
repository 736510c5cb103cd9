import type { ChromaClient, Collection, Metadata, Where } from 'chromadb';
import { z } from 'zod';
import { MemoryError } from '../../spec/memory-error.js';
import type { IndexHit, IndexPoint, IndexQuery, VectorIndex } from '../../spec/vector-index.js';
import { parseBaseUrl } from '../../util/base-url.js';
import { checkWidth, latestPerMemory } from '../shared/index-points.js';
import { CHROMA_REINDEX, type ChromaTarget, chromaFailure, chromaTimeout } from './chroma-failure.js';
import { type ChromaModule, loadChroma } from './load-chroma.js';

export interface ChromaIndexOptions {
  /** A Chroma server, e.g. http://localhost:8000; without a port, Chroma's 8000. */
  url?: string | undefined;
  /** Refused: see refusePath. */
  path?: string | undefined;
  collection: string;
  /** Per request (default 30 s). */
  timeoutMs?: number | undefined;
}

export interface ChromaIndexDeps {
  /** Loads the optional client package; tests inject a failing one. */
  importClient?: () => Promise<ChromaModule>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const CHROMA_DEFAULT_PORT = 8000;
/** Collection metadata holding the width: Chroma learns a width only from the first vector it gets. */
const DIMENSIONS_KEY = 'engram_dimensions';
/**
 * Stands for a null scope id. Chroma metadata has no null, and an upsert MERGES metadata into the
 * record it replaces (a key left out, or sent as null, keeps its old value), so a memory whose
 * user_id went from 'u' to null would keep matching user 'u'. Writing '' replaces it; a scope
 * filter never asks for '' (see query), so '' never matches one.
 */
const NO_ID = '';
const SCOPE_FIELDS = [
  ['userId', 'user_id'],
  ['agentId', 'agent_id'],
  ['runId', 'run_id'],
] as const;

const optionsSchema = z.object({
  url: z.string().trim().min(1, 'must not be empty, e.g. http://localhost:8000').optional(),
  path: z.string().optional(),
  collection: z
    .string()
    .regex(
      /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/,
      'must be 3-512 characters of a-z, A-Z, 0-9, ".", "_", "-", starting and ending with a letter or digit (Chroma\'s rule)',
    ),
  timeoutMs: z.number().int().positive().optional(),
});

const hitMetadataSchema = z.object({ version: z.number() });

/**
 * The Chroma adapter of the derived vector index: one collection, one record per memory (id =
 * memory id, its current version), cosine space, no embedding function (engram sends vectors),
 * tenant and scope ids in the record metadata and filtered inside Chroma. Talks to a Chroma 1.x
 * server over its v2 HTTP API through the `chromadb` JS client.
 */
export class ChromaIndex implements VectorIndex {
  readonly name = 'chroma';
  readonly location: string;
  readonly #client: ChromaClient;
  readonly #target: ChromaTarget;
  /** The collection as last looked up; dropped when Chroma says it no longer exists. */
  #collection: { handle: Collection; dimensions: number } | null = null;
  #closed = false;

  private constructor(client: ChromaClient, target: ChromaTarget) {
    this.#client = client;
    this.#target = target;
    this.location = `chroma ${target.url} collection ${target.collection}`;
  }

  static async open(options: ChromaIndexOptions, deps: ChromaIndexDeps = {}): Promise<ChromaIndex> {
    const settings = parseOptions(options);
    const { ChromaClient } = await loadChroma('The Chroma index', deps.importClient);
    const client = new ChromaClient({ host: settings.host, port: settings.port, ssl: settings.ssl });
    return new ChromaIndex(client, settings.target);
  }

  async prepare(dimensions: number): Promise<void> {
    checkWidth(dimensions);
    // Get-or-create is one call on the server, so two processes preparing at once get one collection;
    // for one that exists, Chroma keeps its metadata and configuration and ignores ours.
    const handle = await this.#call('open the collection', (c) =>
      c.getOrCreateCollection({
        name: this.#target.collection,
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
        metadata: { [DIMENSIONS_KEY]: dimensions },
      }),
    );
    this.#collection = { handle, dimensions: this.#checkLayout(handle, dimensions) };
  }

  async reset(dimensions: number): Promise<void> {
    checkWidth(dimensions);
    this.#collection = null;
    try {
      await this.#call('drop the collection', (c) => c.deleteCollection({ name: this.#target.collection }));
    } catch (error) {
      if (!(MemoryError.is(error) && error.statusCode === 404)) throw error;
    }
    const handle = await this.#call('create the collection', (c) =>
      c.createCollection({
        name: this.#target.collection,
        // null, not left out: otherwise the client records (and wants to load) its default embedder.
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
        metadata: { [DIMENSIONS_KEY]: dimensions },
      }),
    );
    this.#collection = { handle, dimensions: this.#checkLayout(handle, dimensions) };
  }

  async upsert(points: IndexPoint[]): Promise<void> {
    this.#assertOpen();
    if (points.length === 0) return;
    const latest = latestPerMemory(points);
    // Chroma refuses a request over its max_batch_size (5461 on a local server): split only then.
    const max = await this.#call('read the server limits', (c) => c.getMaxBatchSize());
    const size = max > 0 ? max : latest.length;
    for (let start = 0; start < latest.length; start += size) {
      const batch = latest.slice(start, start + size);
      await this.#onCollection(`write ${batch.length} points`, (collection, width) => {
        for (const point of batch) this.#checkVector(point.vector, width);
        return collection.upsert({
          ids: batch.map((point) => point.memoryId),
          embeddings: batch.map((point) => Array.from(point.vector)),
          metadatas: batch.map(pointMetadata),
        });
      });
    }
  }

  async remove(memoryIds: string[]): Promise<void> {
    this.#assertOpen();
    // Chroma refuses an empty id list rather than deleting nothing.
    if (memoryIds.length === 0) return;
    const ids = [...new Set(memoryIds)];
    // Ids Chroma does not hold are skipped silently.
    await this.#onCollection(`remove ${ids.length} memories`, (collection) => collection.delete({ ids }));
  }

  async query(query: IndexQuery): Promise<IndexHit[]> {
    this.#assertOpen();
    if (query.limit < 1) return [];
    const conditions: Where[] = [{ tenant: { $eq: query.tenant } }];
    for (const [scopeKey, field] of SCOPE_FIELDS) {
      const value = query.scope[scopeKey];
      if (value === undefined) continue;
      // '' is how a missing id is stored (NO_ID): no real id is empty, so nothing may match it.
      if (value === NO_ID) return [];
      conditions.push({ [field]: { $eq: value } });
    }
    // Chroma (client and server) refuses an $and of one condition.
    const where: Where = conditions.length === 1 ? conditions[0]! : { $and: conditions };
    const result = await this.#onCollection('search', (collection, width) => {
      this.#checkVector(query.vector, width);
      return collection.query({
        queryEmbeddings: [Array.from(query.vector)],
        nResults: Math.floor(query.limit),
        where,
        include: ['distances', 'metadatas'],
      });
    });
    const ids = result.ids[0] ?? [];
    return ids.map((memoryId, i) => {
      const distance = result.distances[0]?.[i];
      const metadata = hitMetadataSchema.safeParse(result.metadatas[0]?.[i]);
      if (typeof distance !== 'number' || !metadata.success) {
        throw this.#unexpected(
          `record ${memoryId} lacks engram's metadata (version) or a distance; is the collection shared with another application? Give engram its own collection and run ${CHROMA_REINDEX}`,
        );
      }
      // Chroma's cosine distance is 1 - cosine similarity.
      return { memoryId, version: metadata.data.version, score: 1 - distance };
    });
  }

  async count(): Promise<number> {
    return this.#onCollection('count points', (collection) => collection.count());
  }

  async close(): Promise<void> {
    // The client keeps nothing of its own to release: it calls the global fetch per request.
    this.#closed = true;
    this.#collection = null;
  }

  /**
   * Runs one call on the collection. A handle goes stale when another process drops and recreates
   * the collection (`engram reindex`), maybe for another width: on a 404, or a width that no longer
   * fits, a cached handle is looked up again by name, once.
   */
  async #onCollection<T>(
    doing: string,
    run: (collection: Collection, width: number) => Promise<T>,
  ): Promise<T> {
    const cached = this.#collection;
    const current = cached ?? (await this.#lookUp(doing));
    try {
      return await this.#call(doing, () => run(current.handle, current.dimensions));
    } catch (error) {
      const stale =
        MemoryError.is(error) && (error.statusCode === 404 || error.code === 'dimension_mismatch');
      if (cached === null || !stale) throw error;
      this.#collection = null;
      const fresh = await this.#lookUp(doing);
      return this.#call(doing, () => run(fresh.handle, fresh.dimensions));
    }
  }

  async #lookUp(doing: string): Promise<{ handle: Collection; dimensions: number }> {
    const handle = await this.#call(doing, (c) => c.getCollection({ name: this.#target.collection }));
    this.#collection = { handle, dimensions: this.#checkLayout(handle) };
    return this.#collection;
  }

  /** Checks the collection is engram's, cosine, and (when given) of this width; returns its width. */
  #checkLayout(collection: Collection, expected?: number): number {
    const where = `The Chroma collection ${this.#target.collection} at ${this.#target.url}`;
    const found = collection.metadata?.[DIMENSIONS_KEY];
    if (typeof found !== 'number' || !Number.isInteger(found) || found < 1) {
      throw new MemoryError(
        'index_error',
        `${where} has no ${DIMENSIONS_KEY} in its metadata, so engram did not make it. Give engram its own collection, or drop this one with ${CHROMA_REINDEX}.`,
        { url: this.#target.url },
      );
    }
    if (expected !== undefined && found !== expected) {
      throw new MemoryError(
        'dimension_mismatch',
        `${where} holds vectors of ${found} dimensions, but the embedder makes ${expected}. Run ${CHROMA_REINDEX} to rebuild it for the current model.`,
        { url: this.#target.url, details: { expected, found } },
      );
    }
    const configuration = collection.configuration;
    const hnswSpace = collection.metadata?.['hnsw:space'];
    // Chroma's default space is l2; the space lives in configuration (1.x) or metadata (older).
    const space =
      configuration?.hnsw?.space ??
      configuration?.spann?.space ??
      (typeof hnswSpace === 'string' ? hnswSpace : 'l2');
    if (space !== 'cosine') {
      throw new MemoryError(
        'index_error',
        `${where} uses ${space} space; engram needs cosine. Run ${CHROMA_REINDEX} to rebuild it.`,
        { url: this.#target.url },
      );
    }
    return found;
  }

  /** Chroma takes any width into an empty collection (and fixes it then): check it here. */
  #checkVector(vector: Float32Array, width: number): void {
    if (vector.length === width) return;
    throw new MemoryError(
      'dimension_mismatch',
      `The Chroma collection ${this.#target.collection} at ${this.#target.url} holds vectors of ${width} dimensions, but got one of ${vector.length}. Run ${CHROMA_REINDEX} to rebuild it for the current model.`,
      { url: this.#target.url, details: { expected: width, found: vector.length } },
    );
  }

  /**
   * One request, bounded by timeoutMs. The client has no per-request timeout (it calls the global
   * fetch with options fixed at construction), so the wait is abandoned rather than the request:
   * one that lands late is harmless, since every write here is idempotent and the store re-reads
   * whatever a search returns.
   */
  async #call<T>(doing: string, run: (client: ChromaClient) => Promise<T>): Promise<T> {
    this.#assertOpen();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(chromaTimeout(this.#target, doing)), this.#target.timeoutMs);
    });
    try {
      return await Promise.race([run(this.#client), deadline]);
    } catch (error) {
      throw chromaFailure(error, this.#target, doing);
    } finally {
      clearTimeout(timer);
    }
  }

  #unexpected(problem: string): MemoryError {
    return new MemoryError('index_error', `Chroma at ${this.#target.url}: ${problem}.`, {
      url: this.#target.url,
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new MemoryError('closed', `The Chroma index (${this.location}) is closed.`);
  }
}

function pointMetadata(point: IndexPoint): Metadata {
  return {
    tenant: point.tenant,
    memory_id: point.memoryId,
    version: point.version,
    user_id: point.userId ?? NO_ID,
    agent_id: point.agentId ?? NO_ID,
    run_id: point.runId ?? NO_ID,
  };
}

interface ChromaSettings {
  host: string;
  port: number;
  ssl: boolean;
  target: ChromaTarget;
}

function parseOptions(options: ChromaIndexOptions): ChromaSettings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new MemoryError('invalid_config', `Invalid Chroma index options: ${problems.join('; ')}.`);
  }
  const { url: raw, path, collection, timeoutMs = DEFAULT_TIMEOUT_MS } = parsed.data;
  if (path !== undefined) refusePath(path);
  if (raw === undefined) {
    throw new MemoryError(
      'invalid_config',
      "The Chroma index needs the server's URL: set config index.url or ENGRAM_INDEX_URL (for example http://localhost:8000).",
    );
  }
  const url = parseBaseUrl(raw, 'Chroma url');
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new MemoryError(
      'invalid_config',
      `Chroma url "${raw}" has a path; Chroma's client addresses a server by scheme, host and port only. Serve Chroma at the root of a host or port.`,
    );
  }
  const ssl = url.protocol === 'https:';
  // URL drops a port equal to the scheme's default; a user who wrote :443 or :80 means it.
  const explicitDefault = /^[a-z]+:\/\/[^/?#]*:\d+(?:[/?#]|$)/i.test(raw.trim());
  const port = url.port !== '' ? Number(url.port) : explicitDefault ? (ssl ? 443 : 80) : CHROMA_DEFAULT_PORT;
  const base = `${url.protocol}//${url.hostname}:${port}`;
  return { host: url.hostname, port, ssl, target: { url: base, collection, timeoutMs } };
}

/**
 * Why engram does not start a Chroma server for a local directory itself, though chromadb ships
 * one (the `chroma` CLI in its native binding):
 * - The binding's `cli()` blocks its thread until the server stops, so the server cannot live in
 *   engram's process; it would be a child process, and Node has no parent-death signal: when
 *   engram is killed, the server stays behind, serving the directory.
 * - Chroma does not lock its persist directory: two servers opened the same `--path` side by side
 *   (each with its own in-memory index state), so the next engram would add a second writer.
 * - `chroma run` on a taken port prints "Address ... is not available" and exits 0.
 * - The binding is a ~50-420 MB per-platform binary whose newer builds need glibc ≥ 2.39; where it
 *   does not load, `path` would fail at first use while `url` works with any Chroma.
 * Running the server is one command, so the operator owns it and engram takes its url.
 */
function refusePath(path: string): never {
  throw new MemoryError(
    'invalid_config',
    `The Chroma index takes a server url, not a path: engram does not run Chroma itself. Start it with \`npx chroma run --path ${path} --port 8000\` and set index.url (or ENGRAM_INDEX_URL) to http://localhost:8000.`,
    { details: { path } },
  );
}
