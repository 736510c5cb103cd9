import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngramConfigInput } from '../../config/index.js';
import { Memory } from '../../memory/memory.js';
import type { CliContext } from '../cli-context.js';
import { renderTable, truncate } from '../output.js';
import { detectDemoMode } from './detect-demo-mode.js';

export const DEMO_USER = 'sarah';
const DEMO_TENANT = 'demo';
const INTRODUCTION = [
  "Hi! I'm Sarah. I love hiking and photography.",
  "I'm planning a trip to Colorado next month to photograph the Rocky Mountains.",
];
const QUESTION = 'Do you remember me? What were my trip plans?';
const FULL_SETUP = [
  '  ollama serve',
  '  ollama pull llama3.2:3b',
  '  ollama pull nomic-embed-text',
  'or use an OpenAI key: OPENAI_API_KEY=sk-... ENGRAM_LLM=openai:gpt-4o-mini ENGRAM_EMBEDDER=openai:text-embedding-3-small engram demo',
];

export interface DemoFlags {
  phase: 'all' | 'recall';
  llm: boolean;
  embedder: boolean;
  input: EngramConfigInput;
}

/** What the demo changes in the configuration for its mode: off what is not reachable. */
function demoConfig(flags: DemoFlags): EngramConfigInput {
  return {
    ...flags.input,
    tenant: DEMO_TENANT,
    ...(flags.llm ? {} : { llm: null }),
    ...(flags.embedder ? {} : { embedder: null }),
  };
}

/**
 * `engram demo`: Sarah introduces herself; a NEW process, sharing only the database file, is
 * asked what it remembers. Runs with an LLM when one answers, otherwise in no-LLM mode.
 */
export async function runDemo(
  context: CliContext,
  flags: Omit<DemoFlags, 'llm' | 'embedder'> & Partial<DemoFlags>,
): Promise<void> {
  const out = context.io.stdout;
  const env = context.io.env;
  if (flags.phase === 'recall') return recall(context, flags as DemoFlags);

  const probe = new Memory(flags.input, {
    env,
    cwd: context.io.cwd,
    onWarning: (warning) => context.io.stderr(`engram: warning: ${warning}\n`),
  });
  const mode = await detectDemoMode(probe.config, env);
  const dbPath = probe.config.dbPath;
  await probe.close();
  const full: DemoFlags = { ...flags, llm: mode.llm, embedder: mode.embedder };

  out('engram demo — long-term memory across processes\n\n');
  out(
    `Mode: ${mode.llm ? 'full (LLM answers, facts are distilled)' : 'no-LLM (raw turns stored, retrieval only)'}\n`,
  );
  out(`  LLM:      ${mode.llm ? 'ok' : 'unavailable'} — ${mode.llmDetail}\n`);
  out(`  embedder: ${mode.embedder ? 'ok' : 'unavailable (keyword search only)'} — ${mode.embedderDetail}\n`);
  out(`  database: ${resolve(context.io.cwd, dbPath)} (tenant "${DEMO_TENANT}", reset for the demo)\n\n`);

  const memory = new Memory(demoConfig(full), { env, cwd: context.io.cwd, onWarning: () => {} });
  try {
    await memory.reset({ confirm: true });
    out(`— Process ${process.pid}: Sarah introduces herself —\n`);
    for (const turn of INTRODUCTION) {
      out(`sarah> ${turn}\n`);
      if (full.llm) {
        out('assistant> ');
        const result = await memory.chat(turn, { userId: DEMO_USER, onToken: (t) => out(t) });
        out('\n');
        for (const error of result.remembered.errors ?? []) out(`  (not remembered yet: ${error.message})\n`);
      } else {
        await memory.add(turn, { userId: DEMO_USER, infer: false });
        out('  (stored as a raw turn)\n');
      }
    }
  } finally {
    await memory.close();
  }

  out('\n— A new process starts; it shares nothing but the database file —\n');
  await spawnRecall(context, full);
  if (!full.llm) {
    out('\nThis ran in no-LLM mode: nothing was generated, and retrieval worked by keyword');
    out(full.embedder ? ' and by vector.\n' : ' only.\n');
    out(`For the full experience start a local model:\n${FULL_SETUP.join('\n')}\n`);
  } else if (!full.embedder) {
    out('\nNo embedder answered, so retrieval used keywords only. Pull one: ollama pull nomic-embed-text\n');
  }
}

function spawnRecall(context: CliContext, flags: DemoFlags): Promise<void> {
  const bin = fileURLToPath(new URL('../../../bin/engram.js', import.meta.url));
  const args = [bin, 'demo', '--phase', 'recall', '--mode', flags.llm ? 'full' : 'no-llm'];
  if (!flags.embedder) args.push('--keyword-only');
  if (flags.input.dbPath) args.push('--db', flags.input.dbPath);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: context.io.cwd,
      env: context.io.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => context.io.stdout(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => context.io.stderr(chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`the recall process exited with code ${code}`)),
    );
  });
}

async function recall(context: CliContext, flags: DemoFlags): Promise<void> {
  const out = context.io.stdout;
  const memory = new Memory(demoConfig(flags), {
    env: context.io.env,
    cwd: context.io.cwd,
    onWarning: (warning) => context.io.stderr(`engram: warning: ${warning}\n`),
  });
  try {
    out(`— Process ${process.pid}: Sarah comes back —\n`);
    out(`sarah> ${QUESTION}\n`);
    if (flags.llm) {
      out('assistant> ');
      await memory.chat(QUESTION, { userId: DEMO_USER, onToken: (t) => out(t), remember: 'raw' });
      out('\n');
    } else {
      const found = await memory.search('Sarah trip plans remember', { userId: DEMO_USER, limit: 5 });
      out('(no LLM to write an answer — this is what memory retrieval found for the question)\n');
      for (const item of found.results) out(`  • ${item.memory}  [score ${item.score?.toFixed(3)}]\n`);
      if (found.results.length === 0) out('  (nothing found)\n');
    }
    const all = await memory.getAll({ userId: DEMO_USER, limit: 100 });
    out(`\nStored memories of ${DEMO_USER} (${all.total}):\n`);
    out(
      `${renderTable(
        ['ID', 'MEMORY'],
        all.results.map((m) => [m.id, truncate(m.memory, 70)]),
      ).join('\n')}\n`,
    );
  } finally {
    await memory.close();
  }
}
