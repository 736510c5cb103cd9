import { z } from 'zod';
import { MemoryError } from '../../spec/memory-error.js';
import type { FetchLike } from '../../spec/provider-settings.js';
import type { Mem0Point, Mem0SourceData } from './mem0-records.js';

export interface QdrantSourceOptions {
  apiKey?: string | undefined;
  fetch?: FetchLike | undefined;
  /** Points read so far, of how many. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Points per scroll request (default 256). */
  pageSize?: number | undefined;
}

// Only the fields read here: a newer Qdrant's additions do not break the import.
const envelope = <T extends z.ZodType>(result: T) => z.object({ result });
const countSchema = envelope(z.object({ count: z.number() }));
const scrollSchema = envelope(
  z.object({
    points: z.array(
      z.object({
        id: z.union([z.string(), z.number()]),
        payload: z.record(z.string(), z.unknown()).nullish(),
        vector: z.unknown().optional(),
      }),
    ),
    next_page_offset: z.union([z.string(), z.number()]).nullish(),
  }),
);

/**
 * Reads every point of a mem0 Qdrant collection over Qdrant's REST API (scroll, with payload and
 * vector), only reading: nothing in the collection changes. Everything is read before anything
 * is written to engram.
 */
export async function readQdrant(
  spec: { given: string; url: string; collection: string },
  options: QdrantSourceOptions = {},
): Promise<Mem0SourceData> {
  const doFetch = options.fetch ?? fetch;
  const base = `${spec.url}/collections/${encodeURIComponent(spec.collection)}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey !== undefined) headers['api-key'] = options.apiKey;
  const where = `the Qdrant collection ${spec.collection} at ${spec.url} (--from-mem0 ${spec.given})`;

  const call = async <T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> => {
    const url = `${base}${path}`;
    let response: Response;
    try {
      response = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (cause) {
      throw new MemoryError(
        'index_unreachable',
        `Could not reach Qdrant for ${where}: ${cause instanceof Error ? cause.message : String(cause)}. Check that Qdrant is running there. Nothing was imported.`,
        { cause, url, isRetryable: true },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const notFound = response.status === 404;
      throw new MemoryError(
        notFound ? 'invalid_input' : 'index_error',
        notFound
          ? `Qdrant at ${spec.url} has no collection ${spec.collection} (--from-mem0 ${spec.given}): check the collection name (mem0's default is "mem0"). Nothing was imported.`
          : `Qdrant answered ${response.status} for ${where}${response.status === 401 || response.status === 403 ? ': pass its key with --qdrant-api-key' : ''} (${text.slice(0, 200)}). Nothing was imported.`,
        { statusCode: response.status, url, responseBody: text, isRetryable: response.status >= 500 },
      );
    }
    const parsed = schema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new MemoryError(
        'index_error',
        `Qdrant gave an answer engram does not understand for ${where}. Nothing was imported.`,
        {
          url,
          responseBody: text.slice(0, 2000),
        },
      );
    }
    return parsed.data;
  };

  const total = (await call('/points/count', { exact: true }, countSchema)).result.count;
  const points: Mem0Point[] = [];
  let offset: string | number | null | undefined;
  do {
    const page = await call(
      '/points/scroll',
      {
        limit: options.pageSize ?? 256,
        with_payload: true,
        with_vector: true,
        ...(offset === undefined ? {} : { offset }),
      },
      scrollSchema,
    );
    for (const point of page.result.points) {
      points.push({ id: String(point.id), payload: point.payload ?? {}, vector: vectorOf(point.vector) });
    }
    offset = page.result.next_page_offset;
    options.onProgress?.(points.length, Math.max(total, points.length));
  } while (offset !== null && offset !== undefined);
  return { label: spec.given, points, history: null, messages: [] };
}

/** mem0 writes one unnamed dense vector; a collection with one named vector is read too. */
function vectorOf(raw: unknown): number[] | null {
  if (Array.isArray(raw) && raw.length > 0 && raw.every((x) => typeof x === 'number')) return raw as number[];
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const named = Object.values(raw);
    if (named.length === 1) return vectorOf(named[0]);
  }
  return null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
