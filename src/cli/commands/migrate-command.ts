import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { StoreSettings } from '../../config/engram-config.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { Store } from '../../spec/store.js';
import { type StoreTransfer, TRANSFER_KINDS, type TransferKind } from '../../spec/store-transfer.js';
import { createStore } from '../../stores/registry.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { printJson, printLines, renderTable } from '../output.js';

/**
 * Rows per page (and per import transaction): a memory carries its versions, vectors and history,
 * an entity its name's vector.
 */
const PAGE: Record<TransferKind, number> = {
  memories: 500,
  messages: 2000,
  keys: 2000,
  jobs: 2000,
  usage: 2000,
  entities: 500,
  merges: 2000,
  relations: 2000,
};

const HELP = `
Stores: sqlite:<path> or a path ending in .db (SQLite), postgres://… or postgresql://… (PostgreSQL,
in --from-schema / --to-schema, default "engram"). The source is only read; a SQLite source must exist.
An encrypted SQLite file takes its passphrase from --from-key-file / --to-key-file (a new target given
--to-key-file is created encrypted).

Every tenant is copied: memories with all their versions (both time axes), vectors and history,
messages, API keys (hashes only), jobs, usage totals and the graph (entities with their vectors,
the merge log, relations on both time axes). Each page is written in one transaction that also
records, in the target, how far the copy got: run the same command again after an interruption
and it resumes there. Memories, keys, jobs, entities and relations already in the
target (same id) are skipped, usage totals are replaced, so a repeated run duplicates nothing.

At the end the row counts are compared: the target must hold at least as many rows of each kind
as the source (it may hold more: rows of its own). Fewer is an error (exit status 1).`;

interface StoreSpec {
  settings: StoreSettings;
  /** Stable for one store: names its progress marks in the target, and tells two stores apart. */
  identity: string;
  /** For messages: no password. */
  label: string;
}

/** A store opened for the migration and its transfer part. */
interface Opened {
  store: Store;
  transfer: StoreTransfer;
}

interface KindReport {
  kind: TransferKind;
  source: number;
  copied: number;
  present: number;
  target: number;
}

export const migrateCommand: RegisterCommand = (program, context) => {
  program
    .command('migrate')
    .description('copy a whole store (every tenant) to another one: SQLite ↔ PostgreSQL; resumable')
    .requiredOption('--from <store>', 'the store to copy: sqlite:<path>, <file>.db or postgres://…')
    .requiredOption('--to <store>', 'the store to copy into (created when missing)')
    .option('--from-schema <name>', 'PostgreSQL schema of the source (default "engram")')
    .option('--to-schema <name>', 'PostgreSQL schema of the target (default "engram")')
    .option('--from-key-file <file>', 'an encrypted SQLite source: the file holding its passphrase')
    .option(
      '--to-key-file <file>',
      'encrypt a SQLite target (new or encrypted) with the passphrase in this file',
    )
    .addHelpText('after', HELP)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const from = storeSpec('--from', String(options.from), stringOr(options.fromSchema), context.io.cwd);
      const to = storeSpec('--to', String(options.to), stringOr(options.toSchema), context.io.cwd);
      withKeyFile('--from-key-file', from, stringOr(options.fromKeyFile), context.io.cwd);
      withKeyFile('--to-key-file', to, stringOr(options.toKeyFile), context.io.cwd);
      if (from.identity === to.identity) {
        throw new MemoryError(
          'invalid_input',
          `--from and --to name the same store (${from.label}): give --to another file, database or --to-schema.`,
        );
      }
      const started = performance.now();
      const reports = await withStores(from, to, (source, target) => migrate(context, from, source, target));
      const seconds = (performance.now() - started) / 1000;
      if (globals.json) {
        printJson(context, { from: from.label, to: to.label, seconds, kinds: reports });
      } else {
        printLines(context, [
          ...renderTable(
            ['KIND', 'SOURCE', 'COPIED', 'ALREADY THERE', 'TARGET'],
            reports.map((r) => [r.kind, r.source, r.copied, r.present, r.target].map(String)),
          ),
          `Migrated ${from.label} → ${to.label} in ${seconds.toFixed(1)} s.`,
        ]);
      }
      const short = reports.filter((r) => r.target < r.source);
      if (short.length > 0) {
        const which = short.map((r) => `${r.kind} ${r.target} of ${r.source}`).join(', ');
        throw new MemoryError(
          'conflict',
          `The target holds fewer rows than the source after the migration: ${which}. Run the same command again to resume; if the counts still differ, rows were removed from the target after an earlier run recorded them as copied (meta keys migrate:${from.identity}:*), so migrate into a new, empty target.`,
          { details: { short } },
        );
      }
    });
};

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `sqlite:<path>`, `<path>.db`, `postgres://…`, `postgresql://…`; anything else is refused by flag. */
function storeSpec(flag: string, value: string, schema: string | undefined, cwd: string): StoreSpec {
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new MemoryError('invalid_input', `${flag}: ${redact(value)} is not a valid PostgreSQL URL.`);
    }
    const name = schema ?? 'engram';
    const port = url.port || '5432';
    const where = `${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.hostname.toLowerCase()}:${port}${url.pathname}`;
    return {
      settings: { provider: 'postgres', url: value, schema: name },
      identity: `postgres://${where}#${name}`,
      label: `postgres://${where} (schema ${name})`,
    };
  }
  const schemaFlag = flag === '--from' ? '--from-schema' : '--to-schema';
  if (schema !== undefined) {
    throw new MemoryError(
      'invalid_input',
      `${schemaFlag} applies to a PostgreSQL store; ${flag} names a SQLite file.`,
    );
  }
  const path = value.startsWith('sqlite:')
    ? value.slice('sqlite:'.length)
    : value.endsWith('.db')
      ? value
      : null;
  if (path === null || path === '' || path === ':memory:') {
    throw new MemoryError(
      'invalid_input',
      `${flag}: expected sqlite:<path>, a file ending in .db, or postgres://user:password@host:5432/database; got ${JSON.stringify(redact(value))}.`,
    );
  }
  const absolute = canonicalPath(resolve(cwd, path));
  return {
    settings: { provider: 'sqlite', path: absolute },
    identity: `sqlite:${absolute}`,
    label: absolute,
  };
}

/** An encrypted SQLite file's key (docs/security.md); refused by flag for PostgreSQL. */
function withKeyFile(flag: string, spec: StoreSpec, file: string | undefined, cwd: string): void {
  if (file === undefined) return;
  if (spec.settings.provider !== 'sqlite') {
    throw new MemoryError(
      'invalid_input',
      `${flag} applies to an encrypted SQLite file; ${spec.label} is PostgreSQL.`,
    );
  }
  spec.settings = { ...spec.settings, encryptionKeyFile: resolve(cwd, file) };
}

/** Symbolic links resolved (the file's directory when the file does not exist yet). */
function canonicalPath(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const dir = dirname(path);
  return existsSync(dir) ? join(realpathSync(dir), basename(path)) : path;
}

function redact(value: string): string {
  return value.replace(/:[^:@/]*@/, ':***@');
}

/** Opens and inits both stores (the source read-only where the backend allows), always closing them. */
async function withStores<T>(
  from: StoreSpec,
  to: StoreSpec,
  work: (source: Opened, target: Opened) => Promise<T>,
): Promise<T> {
  if (from.settings.provider === 'sqlite' && !existsSync(from.settings.path ?? '')) {
    throw new MemoryError('invalid_input', `--from: there is no database at ${from.label}.`);
  }
  const opened: Store[] = [];
  try {
    const source = await open({ ...from.settings, readOnly: true }, '--from', from, opened);
    await refuseEmpty(from, source.transfer);
    const target = await open(to.settings, '--to', to, opened);
    return await work(source, target);
  } finally {
    for (const store of opened) await store.close().catch(() => {});
  }
}

/** Checked before the target is opened (and perhaps created): most likely a mistyped --from. */
async function refuseEmpty(from: StoreSpec, source: StoreTransfer): Promise<void> {
  const totals = await source.counts();
  if (TRANSFER_KINDS.some((kind) => totals[kind] > 0)) return;
  throw new MemoryError(
    'invalid_input',
    `--from: ${from.label} holds no memories, messages, keys, jobs or usage, so there is nothing to migrate. Check --from${from.settings.provider === 'postgres' ? ' and --from-schema' : ''}.`,
  );
}

async function open(
  settings: StoreSettings,
  flag: string,
  spec: StoreSpec,
  opened: Store[],
): Promise<Opened> {
  const store = await createStore(settings);
  opened.push(store);
  await store.init();
  const transfer = store.transfer;
  if (!transfer) {
    throw new MemoryError(
      'invalid_input',
      `${flag}: the ${store.dialect} store at ${spec.label} cannot be migrated (it offers no transfer).`,
    );
  }
  return { store, transfer };
}

async function migrate(
  context: CliContext,
  from: StoreSpec,
  source: Opened,
  target: Opened,
): Promise<KindReport[]> {
  await carryEmbeddingModel(source.store, target.store);
  const totals = await source.transfer.counts();
  const before = await target.transfer.counts();
  const progress = new ProgressReport(context);
  const reports: Omit<KindReport, 'target'>[] = [];
  // The import dominates what the target holds: build its vector index once at the end instead
  // of row by row (PostgreSQL's HNSW); a target already larger keeps maintaining its index.
  const bulk = target.transfer.beginBulk && totals.memories > 0 && totals.memories >= before.memories;
  if (bulk) await target.transfer.beginBulk?.();
  try {
    await copyKinds(from, source, target, totals, progress, reports);
  } finally {
    if (bulk) {
      progress.note('building the vector index');
      await target.transfer.endBulk?.();
    }
  }
  const after = await target.transfer.counts();
  return reports.map((r) => ({ ...r, target: after[r.kind] }));
}

async function copyKinds(
  from: StoreSpec,
  source: Opened,
  target: Opened,
  totals: Record<TransferKind, number>,
  progress: ProgressReport,
  reports: Omit<KindReport, 'target'>[],
): Promise<void> {
  for (const kind of TRANSFER_KINDS) {
    const key = `migrate:${from.identity}:${kind}`;
    let position = await target.transfer.progress(key);
    const report = { kind, source: totals[kind], copied: 0, present: 0 };
    progress.start(kind, totals[kind], position > 0);
    for (;;) {
      const page = await source.transfer.exportRows(kind, position, PAGE[kind]);
      if (page.next === null) break;
      const written = await target.transfer.importRows(kind, page.rows, { key, position: page.next });
      report.copied += written;
      report.present += page.rows.length - written;
      position = page.next;
      progress.advance(page.rows.length);
    }
    progress.finish(report.copied, report.present);
    reports.push(report);
  }
}

/**
 * Vectors are only comparable with vectors of the same model: the target takes the source's
 * model when it has none, and a target holding another model's vectors is refused up front.
 */
async function carryEmbeddingModel(source: Store, target: Store): Promise<void> {
  const [model, targetModel] = await Promise.all([
    source.getMeta('embedding_model'),
    target.getMeta('embedding_model'),
  ]);
  const [width, targetWidth] = await Promise.all([source.vectorWidth(), target.vectorWidth()]);
  if ((model && targetModel && model !== targetModel) || (width && targetWidth && width !== targetWidth)) {
    throw new MemoryError(
      'dimension_mismatch',
      `The target holds vectors of another embedding model (${targetModel ?? '?'}, ${targetWidth ?? '?'} dimensions) than the source (${model ?? '?'}, ${width ?? '?'} dimensions), and the two cannot be searched together. Migrate into an empty store, or run \`engram reindex\` on one of them with the other's model first.`,
      { details: { source: { model, width }, target: { model: targetModel, width: targetWidth } } },
    );
  }
  if (model && !targetModel) await target.setMeta('embedding_model', model);
}

/** A bar on a terminal; one line per kind otherwise (logs, pipes, CI). Always stderr: stdout is the result. */
class ProgressReport {
  readonly #context: CliContext;
  readonly #bar = process.stderr.isTTY === true;
  #kind: TransferKind = 'memories';
  #total = 0;
  #done = 0;
  #resumed = false;
  #started = 0;

  constructor(context: CliContext) {
    this.#context = context;
  }

  start(kind: TransferKind, total: number, resumed: boolean): void {
    this.#kind = kind;
    this.#total = total;
    this.#done = 0;
    this.#resumed = resumed;
    this.#started = performance.now();
    if (this.#bar) this.#draw();
  }

  advance(rows: number): void {
    this.#done += rows;
    if (this.#bar) this.#draw();
  }

  finish(copied: number, present: number): void {
    const resumed = this.#resumed ? ', resumed after an earlier run' : '';
    const line = `${this.#kind}: ${copied} copied, ${present} already there (source ${this.#total}${resumed}, ${this.#rate()} rows/s)`;
    this.#context.io.stderr(this.#bar ? `\r\u001b[2K${line}\n` : `engram: ${line}\n`);
  }

  /** A step between kinds (building an index), as one line. */
  note(text: string): void {
    this.#context.io.stderr(`engram: ${text}\n`);
  }

  #rate(): number {
    const seconds = (performance.now() - this.#started) / 1000;
    return seconds > 0 ? Math.round(this.#done / seconds) : 0;
  }

  #draw(): void {
    const width = 30;
    // A resumed kind starts part-way: its bar shows this run's share of the total.
    const share = this.#total === 0 ? 1 : Math.min(1, this.#done / this.#total);
    const filled = Math.round(share * width);
    this.#context.io.stderr(
      `\r\u001b[2K${this.#kind.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#done}/${this.#total} ${Math.round(share * 100)}% ${this.#rate()}/s`,
    );
  }
}
