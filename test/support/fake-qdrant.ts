import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectedFailure, RecordedRequest } from './fake-http.js';

/**
 * A fake Qdrant: a real HTTP server on 127.0.0.1 speaking the subset of Qdrant's REST API that
 * @qdrant/js-client-rest sends for a single-vector collection — `{result, status: "ok", time}`
 * envelopes, `{status: {error}}` failures with Qdrant's wording and status codes, exact vector
 * scores (Cosine, Dot), scroll in id order, payload filters (`must`/`should`/`must_not` with `match`
 * value/any/except), the `api-key` header. Anything else answers 400 "fake-qdrant does not
 * implement …", so a client that starts using more of the API fails loudly instead of passing.
 */

export interface QdrantRequest extends RecordedRequest {
  /** The query string, e.g. {wait: 'true'}. */
  query: Record<string, string>;
}

export interface FakeQdrantPoint {
  id: string | number;
  /** As the client sent it (Qdrant would return a Cosine collection's vector normalized). */
  vector: number[];
  payload: Record<string, unknown>;
  version: number;
}

export interface FakeQdrantCollection {
  size: number;
  distance: string;
  /** Payload indexes by field: {data_type, params?, points}, as GET /collections/{name} shows them. */
  payloadSchema: Record<string, PayloadIndex>;
}

export interface FakeQdrant {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  requests: QdrantRequest[];
  points(collection: string): FakeQdrantPoint[];
  collection(name: string): FakeQdrantCollection | undefined;
  /** The next `count` (default 1) requests answer `status` — a proxy's 503, a 429. */
  failNext(failure: InjectedFailure): void;
  /** Leaves every request from now on unanswered until the returned function is called. */
  hold(): () => void;
  /** Stops listening and drops connections: calls are refused, as when Qdrant is down. Data stays. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface PayloadIndex {
  data_type: string;
  params?: Record<string, unknown>;
  points: number;
}

interface Collection extends FakeQdrantCollection {
  stored: Map<string, FakeQdrantPoint & { unit: number[] }>;
  operations: number;
}

type Json = Record<string, unknown>;
/** `bare`: sent as is (GET /, plain-text answers), not in the `{result, status, time}` envelope. */
type Answer = { status: number; body: unknown; bare?: boolean };

const DISTANCES = ['Cosine', 'Dot', 'Euclid', 'Manhattan'];
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const OPEN_PATHS = new Set(['/healthz', '/livez', '/readyz']);

class QdrantFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const unsupported = (what: string) => new QdrantFailure(400, `fake-qdrant does not implement ${what}`);
const badInput = (what: string) => new QdrantFailure(400, `Wrong input: ${what}`);
const formatError = (what: string) => new QdrantFailure(400, `Format error in JSON body: ${what}`);

export async function startFakeQdrant(options: { apiKey?: string } = {}): Promise<FakeQdrant> {
  const collections = new Map<string, Collection>();
  const requests: QdrantRequest[] = [];
  const failures: (InjectedFailure & { count: number })[] = [];
  const releases = new Set<() => void>();
  let held: Promise<void> | undefined;
  let port = 0;

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const request = await record(req);
    requests.push(request);
    if (held !== undefined) await held;
    const time = () => Number(process.hrtime.bigint() - started) / 1e9;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return;
      const text = typeof body === 'string';
      res
        .writeHead(status, { 'content-type': text ? 'text/plain' : 'application/json', ...headers })
        .end(text ? body : JSON.stringify(body));
    };
    // Qdrant's auth layer answers 401 in plain text; only the health probes are open.
    if (options.apiKey !== undefined && !OPEN_PATHS.has(request.path)) {
      const given = request.headers['api-key'] ?? request.headers.authorization?.replace(/^Bearer /i, '');
      if (given === undefined) return send(401, 'Must provide an API key or an Authorization bearer token');
      if (given !== options.apiKey) return send(401, 'Invalid API key or JWT');
    }
    const failure = failures[0];
    if (failure !== undefined) {
      failure.count -= 1;
      if (failure.count <= 0) failures.shift();
      const body = failure.body ?? {
        status: { error: `Service unavailable (injected ${failure.status})` },
        time: 0,
      };
      return send(failure.status, body, failure.headers);
    }
    try {
      const answer = route(request);
      if (answer.bare) return send(answer.status, answer.body);
      send(answer.status, { result: answer.body, status: 'ok', time: time() });
    } catch (error) {
      if (!(error instanceof QdrantFailure)) throw error;
      send(error.status, { status: { error: error.message }, time: time() });
    }
  }

  function route(request: QdrantRequest): Answer {
    const { method, path } = request;
    if (method === 'GET' && path === '/') {
      return { status: 200, body: { title: 'qdrant - vector search engine', version: '1.18.0' }, bare: true };
    }
    if (method === 'GET' && OPEN_PATHS.has(path))
      return { status: 200, body: 'healthz check passed', bare: true };
    const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (match === null) return { status: 404, body: '', bare: true };
    const name = decodeURIComponent(match[1]!);
    const rest = match[2] ?? '';
    const body = (request.body ?? {}) as Json;
    if (typeof body !== 'object' || Array.isArray(body)) throw formatError('expected a JSON object');
    const key = `${method} ${rest}`;
    if (key === 'PUT ') return createCollection(name, body);
    if (key === 'DELETE ') return ok(collections.delete(name));
    if (key === 'GET /exists') return ok({ exists: collections.has(name) });
    const collection = collections.get(name);
    if (collection === undefined)
      throw new QdrantFailure(404, `Not found: Collection \`${name}\` doesn't exist!`);
    const done = () =>
      ok({
        operation_id: collection.operations++,
        status: request.query.wait === 'true' ? 'completed' : 'acknowledged',
      });
    switch (key) {
      case 'GET ':
        return ok(describe(collection));
      case 'PUT /index':
        createIndex(collection, body);
        return done();
      case 'PUT /points':
        upsert(collection, body);
        return done();
      case 'POST /points/delete':
        for (const [id, point] of collection.stored) if (selects(body, point)) collection.stored.delete(id);
        return done();
      case 'POST /points/query':
        return ok({ points: query(collection, body) });
      case 'POST /points/scroll':
        return ok(scroll(collection, body));
      case 'POST /points/count':
        return ok({ count: [...collection.stored.values()].filter((p) => matches(p, body.filter)).length });
      default:
        return { status: 404, body: '', bare: true };
    }
  }

  function createCollection(name: string, body: Json): Answer {
    if (collections.has(name))
      throw new QdrantFailure(409, `Wrong input: Collection \`${name}\` already exists!`);
    const vectors = body.vectors as Json | undefined;
    if (vectors === undefined || typeof vectors.size !== 'number')
      throw unsupported('named or sparse vectors');
    if (!Number.isInteger(vectors.size) || vectors.size < 1) {
      throw new QdrantFailure(
        422,
        `Validation error in JSON body: [vectors.size: value ${vectors.size} invalid, must be 1 or larger]`,
      );
    }
    if (!DISTANCES.includes(String(vectors.distance))) {
      throw formatError(
        `unknown variant \`${String(vectors.distance)}\`, expected one of ${DISTANCES.map((d) => `\`${d}\``).join(', ')}`,
      );
    }
    collections.set(name, {
      size: vectors.size,
      distance: String(vectors.distance),
      payloadSchema: {},
      stored: new Map(),
      operations: 0,
    });
    return ok(true);
  }

  function createIndex(collection: Collection, body: Json): void {
    const schema = body.field_schema;
    const type = typeof schema === 'string' ? schema : (schema as Json | undefined)?.type;
    if (typeof body.field_name !== 'string' || typeof type !== 'string')
      throw formatError('missing field `field_name`');
    const entry: PayloadIndex = { data_type: type, points: 0 };
    if (typeof schema === 'object' && schema !== null) entry.params = schema as Json;
    collection.payloadSchema[body.field_name] = entry;
  }

  function upsert(collection: Collection, body: Json): void {
    if (!Array.isArray(body.points)) throw unsupported('upsert without a `points` list (batch format)');
    const checked = (body.points as Json[]).map((point) => {
      const id = pointId(point.id);
      if (!Array.isArray(point.vector) || !point.vector.every((x) => typeof x === 'number')) {
        throw unsupported('named, sparse or multi vectors');
      }
      const vector = point.vector as number[];
      if (vector.length !== collection.size) {
        throw badInput(`Vector dimension error: expected dim: ${collection.size}, got ${vector.length}`);
      }
      return { id, vector, payload: (point.payload ?? {}) as Json };
    });
    const version = collection.operations;
    for (const point of checked) {
      const unit = collection.distance === 'Cosine' ? normalize(point.vector) : point.vector;
      collection.stored.set(String(point.id), { ...point, unit, version });
    }
  }

  function query(collection: Collection, body: Json): Json[] {
    const raw = body.query;
    const vector = Array.isArray(raw) ? raw : (raw as Json | undefined)?.nearest;
    if (!Array.isArray(vector))
      throw unsupported(`query ${JSON.stringify(raw)} (only a plain vector or {nearest})`);
    if (body.using != null || body.prefetch != null) throw unsupported('`using` or `prefetch`');
    if (vector.length !== collection.size) {
      throw badInput(`Vector dimension error: expected dim: ${collection.size}, got ${vector.length}`);
    }
    if (collection.distance !== 'Cosine' && collection.distance !== 'Dot') {
      throw unsupported(`queries on a ${collection.distance} collection`);
    }
    const target = collection.distance === 'Cosine' ? normalize(vector as number[]) : (vector as number[]);
    const threshold = typeof body.score_threshold === 'number' ? body.score_threshold : -Infinity;
    const limit = typeof body.limit === 'number' ? body.limit : 10;
    const offset = typeof body.offset === 'number' ? body.offset : 0;
    return [...collection.stored.values()]
      .filter((point) => matches(point, body.filter))
      .map((point) => ({ point, score: asF32(dot(target, point.unit)) }))
      .filter(({ score }) => score >= threshold)
      .sort((a, b) => b.score - a.score || String(a.point.id).localeCompare(String(b.point.id)))
      .slice(offset, offset + limit)
      .map(({ point, score }) => {
        const payload = selectPayload(point.payload, body.with_payload);
        return { id: point.id, version: point.version, score, ...(payload === undefined ? {} : { payload }) };
      });
  }

  /**
   * Points in id order (integers, then UUIDs) from `offset` (an id, inclusive), `next_page_offset`
   * the id after the page; vectors as Qdrant keeps them (a Cosine collection's normalized).
   */
  function scroll(collection: Collection, body: Json): Json {
    if (body.order_by != null) throw unsupported('scroll with `order_by`');
    const limit = typeof body.limit === 'number' ? body.limit : 10;
    const sorted = [...collection.stored.values()]
      .filter((point) => matches(point, body.filter))
      .sort((a, b) => compareIds(a.id, b.id));
    const from =
      body.offset == null ? 0 : sorted.findIndex((p) => compareIds(p.id, pointId(body.offset)) >= 0);
    const start = from < 0 ? sorted.length : from;
    return {
      points: sorted.slice(start, start + limit).map((point) => {
        const payload = selectPayload(point.payload, body.with_payload ?? true);
        return {
          id: point.id,
          ...(payload === undefined ? {} : { payload }),
          ...(body.with_vector === true ? { vector: point.unit } : {}),
        };
      }),
      next_page_offset: sorted[start + limit]?.id ?? null,
    };
  }

  function describe(collection: Collection): Json {
    const schema = Object.fromEntries(
      Object.entries(collection.payloadSchema).map(([field, index]) => [
        field,
        { ...index, points: [...collection.stored.values()].filter((p) => p.payload[field] != null).length },
      ]),
    );
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: collection.stored.size,
      segments_count: 1,
      config: {
        params: {
          vectors: { size: collection.size, distance: collection.distance },
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: true,
        },
        hnsw_config: {
          m: 16,
          ef_construct: 100,
          full_scan_threshold: 10000,
          max_indexing_threads: 0,
          on_disk: false,
        },
        optimizer_config: {
          deleted_threshold: 0.2,
          vacuum_min_vector_number: 1000,
          default_segment_number: 0,
          flush_interval_sec: 5,
        },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: null,
      },
      payload_schema: schema,
    };
  }

  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const unlisten = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen();
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    points: (name) =>
      [...(collections.get(name)?.stored.values() ?? [])].map(({ id, vector, payload, version }) => ({
        id,
        vector,
        payload,
        version,
      })),
    collection: (name) => {
      const found = collections.get(name);
      return (
        found && {
          size: found.size,
          distance: found.distance,
          payloadSchema: structuredClone(found.payloadSchema),
        }
      );
    },
    failNext: (failure) => failures.push({ ...failure, count: failure.count ?? 1 }),
    hold() {
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      held = gate;
      const release = () => {
        releases.delete(release);
        if (held === gate) held = undefined;
        open();
      };
      releases.add(release);
      return release;
    },
    stop: unlisten,
    restart: listen,
    async close() {
      for (const release of [...releases]) release();
      await unlisten();
    },
  };
}

function ok(result: unknown): Answer {
  return { status: 200, body: result };
}

/** Qdrant ids are unsigned integers or UUIDs (stored in the hyphenated lower-case form). */
function pointId(id: unknown): string | number {
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && UUID.test(id)) {
    const hex = id.replace(/-/g, '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw formatError(
    `value ${String(id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function selects(body: Json, point: FakeQdrantPoint): boolean {
  if (Array.isArray(body.points))
    return body.points.map(pointId).some((id) => String(id) === String(point.id));
  if (body.filter !== undefined) return matches(point, body.filter);
  throw formatError('expected `points` or `filter`');
}

function matches(point: FakeQdrantPoint, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  const f = filter as Json;
  const list = (value: unknown) => (value == null ? [] : Array.isArray(value) ? value : [value]);
  const must = list(f.must).every((c) => condition(point, c));
  const should = list(f.should);
  const any = should.length === 0 || should.some((c) => condition(point, c));
  return must && any && !list(f.must_not).some((c) => condition(point, c));
}

function condition(point: FakeQdrantPoint, c: Json): boolean {
  if ('must' in c || 'should' in c || 'must_not' in c) return matches(point, c);
  if ('has_id' in c)
    return (c.has_id as unknown[]).map(pointId).some((id) => String(id) === String(point.id));
  if (typeof c.key !== 'string' || typeof c.match !== 'object' || c.match === null) {
    throw unsupported(`the condition ${JSON.stringify(c)}`);
  }
  const stored = point.payload[c.key];
  const values = stored == null ? [] : Array.isArray(stored) ? stored : [stored];
  const match = c.match as Json;
  if ('value' in match) return values.some((v) => v === match.value);
  if (Array.isArray(match.any)) return values.some((v) => (match.any as unknown[]).includes(v));
  if (Array.isArray(match.except))
    return values.length > 0 && !values.some((v) => (match.except as unknown[]).includes(v));
  throw unsupported(`the match ${JSON.stringify(match)}`);
}

function selectPayload(payload: Json, selector: unknown): Json | undefined {
  if (selector === true) return payload;
  if (selector === undefined || selector === null || selector === false) return undefined;
  const pick = (keys: string[], keep: boolean) =>
    Object.fromEntries(Object.entries(payload).filter(([k]) => keys.includes(k) === keep));
  if (Array.isArray(selector)) return pick(selector as string[], true);
  const s = selector as { include?: string[]; exclude?: string[] };
  if (s.include) return pick(s.include, true);
  if (s.exclude) return pick(s.exclude, false);
  throw unsupported(`with_payload ${JSON.stringify(selector)}`);
}

/** Qdrant scores are f32, printed in their shortest form (0.70710677, not 0.7071067690849304). */
function asF32(value: number): number {
  const single = Math.fround(value);
  for (let digits = 1; digits < 17; digits++) {
    const shortest = Number(single.toPrecision(digits));
    if (Math.fround(shortest) === single) return shortest;
  }
  return single;
}

/** Qdrant stores a Cosine collection's vectors normalized (a zero vector stays zero). */
function normalize(vector: number[]): number[] {
  const length = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return length < Number.EPSILON ? vector : vector.map((x) => x / length);
}

/** Cosine is the dot product of the normalized vectors. */
function dot(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

async function record(req: IncomingMessage): Promise<QdrantRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const url = new URL(req.url ?? '/', 'http://fake');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
  };
}
