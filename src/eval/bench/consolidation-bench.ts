import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConsolidationReport } from '../../memory/consolidate/consolidation-report.js';
import { Memory } from '../../memory/memory.js';
import { consolidationScenario, factKey } from './consolidation-scenario.js';
import { HashEmbedder } from './hash-embedder.js';
import { JudgeByFactKey } from './judge-by-fact-key.js';

const USER = 'bench-user';
/** Memories per context, as an application would ask for them. */
const CONTEXT_LIMIT = 10;
const TOKEN_BUDGET = 4000;

export interface RecallFigures {
  memories: number;
  /** Sum over the queries of context(query, {limit: 10}).tokens. */
  contextTokens: number;
  /** Queries whose 10-memory context holds the expected fact. */
  recalled: number;
  /** Different facts per 10-memory context, averaged over the queries. */
  distinctFacts: number;
  /** Sum over recalled queries of the tokens of the smallest context (limit 1..10) that holds the fact. */
  tokensToRecall: number;
  /**
   * Sum over the queries of the tokens of the smallest context (limit 1..20) that holds every fact
   * the unconsolidated store's 10-memory context held: the same recall, and what it costs.
   */
  tokensForSameFacts: number;
}

export interface ConsolidationBenchResult {
  scenario: { memories: number; facts: number; queries: number };
  before: RecallFigures;
  after: RecallFigures;
  report: ConsolidationReport;
  ms: number;
}

/**
 * `npm run bench:consolidate`: the fixed scenario (consolidation-scenario.ts) written twice into
 * fresh SQLite stores with the hash embedder; one is measured as it is, the other consolidated
 * (judge-by-fact-key standing in for the LLM) and then measured — two stores, so the first
 * measurement's access counts cannot shift the second's ranking.
 */
export async function benchConsolidation(): Promise<ConsolidationBenchResult> {
  const scenario = consolidationScenario();
  const factOf = new Map(scenario.memories.map((m) => [factKey(m.text), m.fact]));
  const dir = mkdtempSync(join(tmpdir(), 'engram-consolidation-'));
  try {
    const open = (name: string) =>
      new Memory(
        { dbPath: join(dir, `${name}.db`), llm: null, embedder: null },
        { embedder: new HashEmbedder(), llm: [new JudgeByFactKey()], env: {}, cwd: dir },
      );
    const seed = async (memory: Memory) => {
      for (const m of scenario.memories) {
        await memory.add(m.text, {
          userId: USER,
          infer: false,
          eventTime: `2024-01-${String(m.day).padStart(2, '0')}T09:00:00Z`,
        });
      }
    };
    /** The facts each query's 10-memory context holds in the unconsolidated store. */
    const sameFacts: Set<number | undefined>[] = [];
    const measure = async (memory: Memory): Promise<RecallFigures> => {
      const figures = {
        memories: 0,
        contextTokens: 0,
        recalled: 0,
        distinctFacts: 0,
        tokensToRecall: 0,
        tokensForSameFacts: 0,
      };
      figures.memories = (await memory.getAll({ userId: USER, limit: 1 })).total;
      for (const q of scenario.queries) {
        const holds = (texts: { memory: string }[]) =>
          texts.some((m) => factOf.get(factKey(m.memory)) === q.fact);
        const context = await memory.context(q.query, {
          userId: USER,
          limit: CONTEXT_LIMIT,
          tokenBudget: TOKEN_BUDGET,
        });
        figures.contextTokens += context.tokens;
        const held = new Set(context.memories.map((m) => factOf.get(factKey(m.memory))));
        figures.distinctFacts += held.size;
        const index = scenario.queries.indexOf(q);
        sameFacts[index] ??= held;
        for (let k = 1; k <= 2 * CONTEXT_LIMIT; k++) {
          const part = await memory.context(q.query, { userId: USER, limit: k, tokenBudget: TOKEN_BUDGET });
          const facts = new Set(part.memories.map((m) => factOf.get(factKey(m.memory))));
          if ([...sameFacts[index]!].every((f) => facts.has(f))) {
            figures.tokensForSameFacts += part.tokens;
            break;
          }
        }
        if (!holds(context.memories)) continue;
        figures.recalled++;
        for (let k = 1; k <= CONTEXT_LIMIT; k++) {
          const smaller = await memory.context(q.query, {
            userId: USER,
            limit: k,
            tokenBudget: TOKEN_BUDGET,
          });
          if (holds(smaller.memories)) {
            figures.tokensToRecall += smaller.tokens;
            break;
          }
        }
      }
      figures.distinctFacts = Math.round((figures.distinctFacts / scenario.queries.length) * 100) / 100;
      return figures;
    };

    const plain = open('before');
    const consolidated = open('after');
    try {
      await seed(plain);
      await seed(consolidated);
      const before = await measure(plain);
      const started = performance.now();
      const report = await consolidated.consolidate({ userId: USER });
      const ms = Math.round(performance.now() - started);
      const after = await measure(consolidated);
      return {
        scenario: {
          memories: scenario.memories.length,
          facts: scenario.facts,
          queries: scenario.queries.length,
        },
        before,
        after,
        report,
        ms,
      };
    } finally {
      await plain.close();
      await consolidated.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function consolidationMarkdown(r: ConsolidationBenchResult, command: string): string {
  const row = (label: string, pick: (f: RecallFigures) => number) =>
    `| ${label} | ${pick(r.before)} | ${pick(r.after)} |`;
  const by = (kind: string) => r.report.pairs.filter((p) => p.decidedBy === kind);
  const llm = by('llm');
  return [
    '# Consolidation: memories and context tokens saved, recall kept',
    '',
    `Generated by \`${command}\` on ${new Date().toISOString().slice(0, 10)}. Scenario`,
    `(src/eval/bench/consolidation-scenario.ts): one user's ${r.scenario.memories} memories stating`,
    `${r.scenario.facts} distinct facts — 80 restatements (lower-cased, clauses swapped, one word`,
    'replaced by a synonym) and 10 facts with a sibling that differs in one value — and',
    `${r.scenario.queries} queries, each with the fact it should recall. Hash bag-of-words embedder`,
    '(bench:hash-bow-384), SQLite, default thresholds (sameAbove 0.95, askAbove 0.85); the LLM is',
    "judge-by-fact-key, which answers judge-duplicates@1 with the scenario's ground truth, so the",
    "figures measure consolidation's mechanics and cost, not a model's judgement. Contexts are",
    `\`memory.context(query, {limit: ${CONTEXT_LIMIT}})\`; the two columns are two identical stores,`,
    'one consolidated.',
    '',
    '| | before | after |',
    '|---|---:|---:|',
    row('active memories', (f) => f.memories),
    row(`context tokens, ${r.scenario.queries} queries`, (f) => f.contextTokens),
    row(`queries whose context holds the fact (of ${r.scenario.queries})`, (f) => f.recalled),
    row('different facts per context (mean)', (f) => f.distinctFacts),
    row('tokens of the smallest context that holds the fact (sum)', (f) => f.tokensToRecall),
    row(
      "tokens of the smallest context holding the facts 'before' held at limit 10 (sum)",
      (f) => f.tokensForSameFacts,
    ),
    '',
    `The run compared ${r.report.compared} memories and merged ${r.report.merged} into ${r.report.groups}`,
    `groups (${r.report.kept} stay active) in ${r.ms} ms. Pairs: ${by('text').length} by equal text,`,
    `${by('vector').length} by cosine ≥ 0.95, ${llm.length} asked of the LLM (${llm.filter((p) => p.same).length} judged the same fact,`,
    `${llm.filter((p) => p.same === false).length} different) in ${r.report.llmCalls} calls, ${r.report.tokens.input} prompt and`,
    `${r.report.tokens.output} completion tokens; ${by('group').length} more in that band were already joined and not asked.`,
    `Embedding calls: ${r.report.embedCalls}.`,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? process.argv[i + 1]! : 'docs/benchmarks/consolidation.md';
  const result = await benchConsolidation();
  const markdown = consolidationMarkdown(result, 'npm run bench:consolidate');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  process.stdout.write(markdown);
}
