import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryError } from '../../spec/memory-error.js';

/**
 * Where mem0 keeps its data, as `engram import --from-mem0 <source>` names it:
 *
 *   ~/.mem0                               a directory: its SQLite files (history.db, vector_store.db)
 *   ./history.db                          one SQLite file: mem0's history, its vector store, or both
 *   qdrant:http://localhost:6333/memories a Qdrant collection (REST)
 *   chroma:http://localhost:8000/memories a Chroma collection (?tenant=…&database=… when not the defaults)
 */
export type Mem0SourceSpec =
  /** `inDirectory`: found in a directory, so a file that is not mem0's is passed over, not refused. */
  | { kind: 'sqlite'; given: string; path: string; inDirectory: boolean }
  | { kind: 'qdrant'; given: string; url: string; collection: string }
  | {
      kind: 'chroma';
      given: string;
      url: URL;
      collection: string;
      tenant: string | undefined;
      database: string | undefined;
    };

export const MEM0_SOURCE_FORMS =
  'a mem0 directory (e.g. ~/.mem0), a SQLite file (history.db, vector_store.db), qdrant:http://host:6333/<collection> or chroma:http://host:8000/<collection>';

function refuse(given: string, why: string): never {
  throw new MemoryError('invalid_input', `--from-mem0 ${given}: ${why}. Give ${MEM0_SOURCE_FORMS}.`, {
    details: { source: given },
  });
}

/** A server source: `<engine>:<http(s) url>/<collection>`. */
function serverSource(
  given: string,
  engine: 'qdrant' | 'chroma',
  rest: string,
): { url: URL; collection: string } {
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    refuse(given, `"${rest}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    refuse(given, `${engine} needs an http:// or https:// URL`);
  const parts = url.pathname.split('/').filter((part) => part !== '');
  const collection = parts.pop();
  if (collection === undefined) refuse(given, `name the ${engine} collection at the end of the URL`);
  url.pathname = parts.join('/');
  url.hash = '';
  return { url, collection: decodeURIComponent(collection) };
}

/**
 * Reads one `--from-mem0` value. A directory becomes its SQLite files (mem0's entity index,
 * `*_entities.db`, is left out: it holds no memories), each a source of its own.
 */
export function parseMem0Source(given: string, cwd: string): Mem0SourceSpec[] {
  const scheme = /^(qdrant|chroma):(.*)$/i.exec(given);
  if (scheme) {
    const engine = scheme[1]!.toLowerCase() as 'qdrant' | 'chroma';
    const { url, collection } = serverSource(given, engine, scheme[2]!);
    if (engine === 'qdrant') {
      url.search = '';
      return [{ kind: 'qdrant', given, url: url.href.replace(/\/+$/, ''), collection }];
    }
    const tenant = url.searchParams.get('tenant') ?? undefined;
    const database = url.searchParams.get('database') ?? undefined;
    url.search = '';
    return [{ kind: 'chroma', given, url, collection, tenant, database }];
  }
  const path = resolve(cwd, given);
  if (!existsSync(path)) refuse(given, `there is no file or directory at ${path}`);
  if (!statSync(path).isDirectory()) return [{ kind: 'sqlite', given, path, inDirectory: false }];
  const files = readdirSync(path)
    .filter((name) => /\.(db|sqlite3?)$/i.test(name) && !/_entities\.(db|sqlite3?)$/i.test(name))
    .sort();
  if (files.length === 0) {
    refuse(given, `the directory ${path} holds no SQLite file (mem0 writes history.db and vector_store.db)`);
  }
  return files.map((name) => ({
    kind: 'sqlite',
    given: join(given, name),
    path: join(path, name),
    inDirectory: true,
  }));
}
