import type { ChromaClient, Collection } from 'chromadb';
import { httpStatusOf } from '../../indexes/chroma/chroma-failure.js';
import { type ChromaModule, loadChroma } from '../../indexes/chroma/load-chroma.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { Mem0Point, Mem0SourceData } from './mem0-records.js';

export interface ChromaSourceOptions {
  /** Loads the optional client package; tests inject a failing one. */
  importClient?: (() => Promise<ChromaModule>) | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Records per request (default 500). */
  pageSize?: number | undefined;
}

const CHROMA_DEFAULT_PORT = 8000;

/**
 * Reads every record of a mem0 Chroma collection (ids, metadata = mem0's payload, embeddings)
 * through the optional `chromadb` client, only reading. mem0 keeps the memory text in the
 * metadata (`data`); a record without it but with a document uses the document.
 */
export async function readChroma(
  spec: {
    given: string;
    url: URL;
    collection: string;
    tenant: string | undefined;
    database: string | undefined;
  },
  options: ChromaSourceOptions = {},
): Promise<Mem0SourceData> {
  const { ChromaClient } = await loadChroma('Reading a Chroma collection', options.importClient);
  const ssl = spec.url.protocol === 'https:';
  const port = spec.url.port === '' ? CHROMA_DEFAULT_PORT : Number(spec.url.port);
  const server = `${spec.url.protocol}//${spec.url.hostname}:${port}`;
  const client: ChromaClient = new ChromaClient({
    host: spec.url.hostname,
    port,
    ssl,
    ...(spec.tenant === undefined ? {} : { tenant: spec.tenant }),
    ...(spec.database === undefined ? {} : { database: spec.database }),
  });
  const where = `the Chroma collection ${spec.collection} at ${server} (--from-mem0 ${spec.given})`;
  const call = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (cause) {
      throw failure(cause, { where, server, spec }, doing);
    }
  };
  const collection: Collection = await call('open the collection', () =>
    client.getCollection({ name: spec.collection }),
  );
  const total = await call('count its records', () => collection.count());
  const size = options.pageSize ?? 500;
  const points: Mem0Point[] = [];
  for (let offset = 0; offset < total; offset += size) {
    const page = await call('read its records', () =>
      collection.get({ limit: size, offset, include: ['embeddings', 'metadatas', 'documents'] }),
    );
    page.ids.forEach((id, i) => {
      const payload: Record<string, unknown> = { ...(page.metadatas[i] ?? {}) };
      const document = page.documents[i];
      if (payload.data === undefined && typeof document === 'string') payload.data = document;
      const vector = page.embeddings[i];
      points.push({ id, payload, vector: vector && vector.length > 0 ? Array.from(vector) : null });
    });
    options.onProgress?.(points.length, total);
    if (page.ids.length === 0) break;
  }
  return { label: spec.given, points, history: null, messages: [] };
}

function failure(
  cause: unknown,
  { where, server, spec }: { where: string; server: string; spec: { given: string; collection: string } },
  doing: string,
): MemoryError {
  if (cause instanceof MemoryError) return cause;
  const said = cause instanceof Error ? cause.message : String(cause);
  if (cause instanceof Error && cause.name === 'ChromaConnectionError') {
    return new MemoryError(
      'index_unreachable',
      `Could not reach Chroma for ${where}: check that it runs there. Nothing was imported.`,
      { cause, url: server, isRetryable: true },
    );
  }
  const status = httpStatusOf(cause);
  if (status === 404 || /does not exist|not found/i.test(said)) {
    return new MemoryError(
      'invalid_input',
      `Chroma at ${server} has no collection ${spec.collection} (--from-mem0 ${spec.given}): check the collection name (mem0's default is "mem0") and ?tenant= / ?database=. Nothing was imported.`,
      { cause, url: server, ...(status === undefined ? {} : { statusCode: status }) },
    );
  }
  return new MemoryError(
    'index_error',
    `Chroma failed to ${doing} for ${where}: ${said.slice(0, 500)}. Nothing was imported.`,
    {
      cause,
      url: server,
      ...(status === undefined ? {} : { statusCode: status }),
    },
  );
}
