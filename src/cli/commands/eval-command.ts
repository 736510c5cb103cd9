import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { QaCheckpoint, type QaSettings } from '../../eval/locomo/qa/qa-checkpoint.js';
import { renderQaReport } from '../../eval/locomo/qa/render-qa-report.js';
import { resolveQaModel } from '../../eval/locomo/qa/resolve-qa-model.js';
import { INGEST_MODES, type IngestMode, runLocomoQa } from '../../eval/locomo/qa/run-locomo-qa.js';
import { renderLocomoReport } from '../../eval/locomo/render-locomo-report.js';
import { runLocomoRetrieval } from '../../eval/locomo/run-locomo-retrieval.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { Store } from '../../spec/store.js';
import { createStore, storeSettings } from '../../stores/registry.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { configSources } from '../open-memory.js';
import { printJson, printNote } from '../output.js';
import { parseIntegerFlag } from '../parse-flags.js';

/** Where the LoCoMo file sits next to a checkout (it is licensed CC BY-NC and never copied in). */
export const DEFAULT_LOCOMO_PATH = '../shared/data/locomo/locomo10.json';

/**
 * `engram eval locomo`: question answering with an LLM judge (the default), or the LLM-free
 * retrieval benchmark with --retrieval-only (docs/eval.md).
 */
export const evalCommand: RegisterCommand = (program, context) => {
  const evalGroup = program.command('eval').description('benchmarks anyone can rerun');
  evalGroup
    .command('locomo')
    .description('LoCoMo: answer accuracy with an LLM judge, or retrieval only (--retrieval-only)')
    .option('--retrieval-only', 'score retrieval without an LLM (the mode that runs anywhere)')
    .option('--data <path>', 'locomo10.json', DEFAULT_LOCOMO_PATH)
    .option('--conversations <list>', 'comma-separated 1-based conversation numbers, e.g. 1,2')
    .option('--limit <n>', 'at most n questions per conversation')
    .option('--modes <list>', 'retrieval only: comma-separated modes (keyword, vector, hybrid, *_no_recency)')
    .option('--ingest <mode>', 'QA: inferred | raw | both', 'inferred')
    .option('--include-adversarial', 'QA: also ask category 5, correct when the answer says "not mentioned"')
    .option('--concurrency <n>', 'QA: conversations ingested / questions asked at once', '2')
    .option('--token-budget <n>', 'QA: tokens of retrieved context per question', '1000')
    .option(
      '--answer-model <id>',
      'QA: answering model, e.g. ollama:llama3.2:3b (default: the configured LLM)',
    )
    .option('--judge-model <id>', 'QA: judge model (default: the configured LLM)')
    .option('--out <dir>', 'QA: output folder (default: .eval/locomo-<timestamp>/)')
    .option('--resume <dir>', 'QA: continue the run in <dir>, skipping answers and judgements already made')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const dataPath = resolve(context.io.cwd, String(options.data));
      if (!existsSync(dataPath)) {
        throw new MemoryError(
          'invalid_input',
          `No LoCoMo data at ${dataPath}. Pass --data <path to locomo10.json> (it is not shipped with engram).`,
        );
      }
      if (options.retrievalOnly === true) return retrievalOnly(options, command, context, dataPath);
      return questionAnswering(options, command, context, dataPath);
    });
};

async function retrievalOnly(
  options: Record<string, unknown>,
  command: Command,
  context: CliContext,
  dataPath: string,
): Promise<void> {
  const store = await scratchStore(command, context);
  const report = await runLocomoRetrieval({
    dataPath,
    ...(store ? { store: store.store } : {}),
    ...(typeof options.conversations === 'string' ? { conversations: parseList(options.conversations) } : {}),
    ...(typeof options.limit === 'string' ? { limit: parseIntegerFlag(options.limit, '--limit')! } : {}),
    ...(typeof options.modes === 'string' ? { modes: options.modes.split(',').map((m) => m.trim()) } : {}),
    onProgress: (line) => printNote(context, line),
  }).finally(() => store?.store.close());
  if (store) printNote(context, `ran in ${store.where} (emptied at the start of each run)`);
  if (globalOptions(command).json) return printJson(context, report);
  context.io.stdout(`${renderLocomoReport(report)}\n`);
}

/**
 * Retrieval runs in a scratch store of the configured backend, so it measures that backend: for
 * PostgreSQL a schema of its own beside the configured one (`<schema>_locomo_eval`, emptied at the
 * start of each run; the user's memories are never touched). SQLite (the default) runs in memory.
 */
async function scratchStore(
  command: Command,
  context: CliContext,
): Promise<{ store: Store; where: string } | undefined> {
  const { input, options } = configSources(globalOptions(command), context);
  const settings = storeSettings(loadConfig(input, options));
  if (settings.provider.toLowerCase() !== 'postgres') return undefined;
  const schema = `${settings.schema ?? 'engram'}_locomo_eval`;
  const store = await createStore({ ...settings, schema, readOnly: undefined });
  return { store, where: `PostgreSQL schema ${schema}` };
}

/**
 * The full benchmark. With --resume the earlier run's settings are the defaults; a flag given
 * explicitly that contradicts them is refused by the runner, naming the setting.
 */
async function questionAnswering(
  options: Record<string, unknown>,
  command: Command,
  context: CliContext,
  dataPath: string,
): Promise<void> {
  const globals = globalOptions(command);
  const { input, options: loadOptions } = configSources({ ...globals, db: undefined }, context);
  const config = loadConfig(input, loadOptions);
  const given = (name: string) => command.getOptionValueSource(name) === 'cli';
  const resumeDir = typeof options.resume === 'string' ? resolve(context.io.cwd, options.resume) : undefined;
  const earlier: QaSettings | undefined = resumeDir ? await QaCheckpoint.readSettings(resumeDir) : undefined;
  if (resumeDir && given('out')) {
    throw new MemoryError('invalid_input', '--resume <dir> continues the run in <dir>; leave out --out.');
  }
  const pick = <T>(name: string, fromFlag: () => T, fromEarlier: T | undefined): T =>
    earlier !== undefined && !given(name) && fromEarlier !== undefined ? fromEarlier : fromFlag();

  const ingest = pick('ingest', () => parseIngest(String(options.ingest)), earlier?.ingest);
  const limit = pick(
    'limit',
    () => (typeof options.limit === 'string' ? parseIntegerFlag(options.limit, '--limit') : undefined),
    earlier ? (earlier.questions_per_conversation ?? undefined) : undefined,
  );
  const conversations = pick<(number | string)[] | undefined>(
    'conversations',
    () => (typeof options.conversations === 'string' ? parseList(options.conversations) : undefined),
    earlier?.conversations,
  );
  const answerId = pick(
    'answerModel',
    () => (typeof options.answerModel === 'string' ? options.answerModel : undefined),
    earlier?.models.answer,
  );
  const judgeId = pick(
    'judgeModel',
    () => (typeof options.judgeModel === 'string' ? options.judgeModel : undefined),
    earlier?.models.judge,
  );
  const outDir =
    resumeDir ??
    resolve(
      context.io.cwd,
      typeof options.out === 'string'
        ? options.out
        : `.eval/locomo-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
  const report = await runLocomoQa({
    dataPath,
    outDir,
    resume: resumeDir !== undefined,
    ...(conversations ? { conversations } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ingest,
    includeAdversarial: pick(
      'includeAdversarial',
      () => options.includeAdversarial === true,
      earlier?.include_adversarial,
    ),
    concurrency: parseIntegerFlag(String(options.concurrency), '--concurrency')!,
    tokenBudget: pick(
      'tokenBudget',
      () => parseIntegerFlag(String(options.tokenBudget), '--token-budget')!,
      earlier?.token_budget,
    ),
    config: input,
    env: loadOptions.env,
    cwd: loadOptions.cwd,
    ...(globals.db !== undefined
      ? { dbPath: resolve(context.io.cwd, globals.db) }
      : earlier
        ? { dbPath: earlier.db }
        : {}),
    answerModel: resolveQaModel(answerId, config, input, loadOptions, '--answer-model'),
    judgeModel: resolveQaModel(judgeId, config, input, loadOptions, '--judge-model'),
    onProgress: (line) => printNote(context, line),
  });
  printNote(context, `report, charts and checkpoint written to ${outDir}`);
  if (globals.json) return printJson(context, report);
  context.io.stdout(renderQaReport(report));
}

function parseIngest(value: string): IngestMode {
  if ((INGEST_MODES as readonly string[]).includes(value)) return value as IngestMode;
  throw new MemoryError(
    'invalid_input',
    `--ingest must be one of ${INGEST_MODES.join(', ')}, got "${value}".`,
  );
}

function parseList(value: string): number[] {
  return value.split(',').map((part) => parseIntegerFlag(part.trim(), '--conversations')!);
}
