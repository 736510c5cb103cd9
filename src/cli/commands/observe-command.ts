import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Memory } from '../../memory/memory.js';
import type { ChannelUsage } from '../../memory/observe/memory-observation.js';
import type { ObservedMessage, ObserveResult } from '../../memory/observe/observe-messages.js';
import type { WindowResult } from '../../memory/observe/run-window.js';
import { MemoryError } from '../../spec/memory-error.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, printNote, renderTable } from '../output.js';
import { readObservedMessages } from '../read-observed-messages.js';

/** Messages per `memory.observe` call: the engine takes at most 1000 at once. */
const CHUNK = 1000;

/** What `engram observe` reports (and prints with --json). */
interface ObserveReport extends ObserveResult {
  /** With --run-now: the windows run, in order. */
  windows?: WindowResult[];
}

/**
 * `engram observe --channel <id> <file|->`: logs a channel's messages (JSON array or JSON Lines)
 * for passive observation, idempotent on message ids, as POST /observe does; `engram serve`'s
 * worker extracts them in windows, or `--run-now` does it here for one-shot use without a server.
 * `engram usage --channel <id>`: what observing the channel cost per day.
 */
export const observeCommand: RegisterCommand = (program, context) => {
  program
    .command('observe')
    .description(
      "log a channel's messages for passive observation (JSON array or JSON Lines); facts go to each speaker",
    )
    .argument(
      '<file>',
      'the messages ({id, speakerId, speakerName?, content, time?, bot?, system?}), or - for standard input',
    )
    .requiredOption('--channel <id>', 'the channel the messages were said in')
    .option('--run-now', "extract the channel's waiting messages now, window after window (no server needed)")
    .action(async (file: string, options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const channel = channelFlag(options.channel);
      const messages = readObservedMessages(readInput(context, file));
      const report = await withMemory(globals, context, async (memory) => {
        const logged = await observeInChunks(memory, channel, messages);
        if (options.runNow !== true) return logged;
        try {
          const windows = await runWindows(memory, channel, logged.pending);
          return { ...logged, pending: 0, window_due_at: null, windows };
        } catch (error) {
          // The messages are logged whatever the LLM did: say so before the error line.
          printNote(
            context,
            `logged ${logged.logged} messages of ${channel} (${logged.duplicates} duplicates); a window failed, so they wait for the next run (--run-now again, or engram serve)`,
          );
          throw error;
        }
      });
      if (globals.json) return printJson(context, report);
      printLines(context, observeSummary(report));
    });

  program
    .command('usage')
    .description(
      'what observing a channel cost per day: windows, messages, facts, LLM calls and tokens, money',
    )
    .requiredOption('--channel <id>', 'the observed channel')
    .option('--since <day>', 'first day to show, YYYY-MM-DD (default: 30 days back)')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const channel = channelFlag(options.channel);
      const since = sinceFlag(options.since);
      const { usage, model } = await withMemory(globals, context, async (memory) => ({
        usage: await memory.observation.usage(channel, { since }),
        model: memory.config.llm[0] ? `${memory.config.llm[0].provider}:${memory.config.llm[0].model}` : null,
      }));
      if (globals.json) return printJson(context, usage);
      printLines(context, usageTable(usage, model, since));
    });
};

function readInput(context: CliContext, file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  const path = resolve(context.io.cwd, file);
  if (!existsSync(path)) {
    throw new MemoryError(
      'invalid_input',
      `No file at ${path}; give the messages' file, or - for standard input.`,
    );
  }
  return readFileSync(path, 'utf8');
}

function channelFlag(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MemoryError('invalid_input', '--channel needs the channel id.', {
      details: { flag: '--channel' },
    });
  }
  return value;
}

function sinceFlag(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const day = String(value);
  // Date.parse rolls 2024-02-30 over to March 1; the round trip catches it.
  const valid =
    /^\d{4}-\d{2}-\d{2}$/.test(day) &&
    !Number.isNaN(Date.parse(day)) &&
    new Date(day).toISOString().startsWith(day);
  if (!valid) {
    throw new MemoryError('invalid_input', `--since must be a date YYYY-MM-DD, got ${JSON.stringify(day)}.`, {
      details: { flag: '--since' },
    });
  }
  return day;
}

/** Logs the messages in calls of at most CHUNK, summing what each call reports. */
async function observeInChunks(
  memory: Memory,
  channel: string,
  messages: ObservedMessage[],
): Promise<ObserveResult> {
  const total: ObserveResult = {
    channel_id: channel,
    logged: 0,
    duplicates: 0,
    skipped: {},
    pending: 0,
    window_due_at: null,
  };
  for (let start = 0; start < messages.length; start += CHUNK) {
    const result = await memory.observe(messages.slice(start, start + CHUNK), { channelId: channel });
    total.logged += result.logged;
    total.duplicates += result.duplicates;
    for (const [reason, n] of Object.entries(result.skipped)) {
      const key = reason as keyof ObserveResult['skipped'];
      total.skipped[key] = (total.skipped[key] ?? 0) + (n ?? 0);
    }
    // The last call knows the channel's state after all of them.
    total.pending = result.pending;
    total.window_due_at = result.window_due_at;
  }
  return total;
}

/** Windows one after the other while messages wait (each takes what fits its token budget). */
async function runWindows(memory: Memory, channel: string, pending: number): Promise<WindowResult[]> {
  const windows: WindowResult[] = [];
  if (pending === 0) return windows;
  for (;;) {
    const window = await memory.observation.runWindow(channel);
    windows.push(window);
    // An empty window means another process took the messages first; `more`: the budget cut it.
    if (!window.more || window.messages === 0) return windows;
  }
}

function observeSummary(report: ObserveReport): string[] {
  const lines = [
    `channel ${report.channel_id}: logged ${report.logged}, duplicates ${report.duplicates}, skipped ${skippedText(report.skipped)}`,
  ];
  if (report.windows !== undefined) {
    for (const [i, w] of report.windows.entries()) {
      const added = w.results.filter((r) => r.event === 'ADD').length;
      lines.push(
        `window ${i + 1}: ${w.messages} messages (${w.extracted} sent to the LLM), ${added} facts added, ${w.usage.llmCalls} LLM calls`,
      );
    }
    if (report.windows.length === 0) lines.push('No messages were waiting: no window ran.');
    return lines;
  }
  lines.push(
    report.pending === 0
      ? 'Nothing waits for a window.'
      : `pending ${report.pending}; window due ${report.window_due_at ?? 'now'} (engram serve runs it, or use --run-now)`,
  );
  return lines;
}

function skippedText(skipped: Partial<Record<string, number>>): string {
  const entries = Object.entries(skipped).filter(([, n]) => (n ?? 0) > 0);
  const total = entries.reduce((sum, [, n]) => sum + (n ?? 0), 0);
  if (total === 0) return '0';
  return `${total} (${entries.map(([reason, n]) => `${reason} ${n}`).join(', ')})`;
}

function usageTable(usage: ChannelUsage, model: string | null, since: string | undefined): string[] {
  if (usage.days.length === 0) {
    return [
      `No observation windows recorded for channel ${usage.channel_id} since ${since ?? '30 days ago'}.`,
    ];
  }
  const row = (day: string, u: ChannelUsage['total']) => [
    day,
    String(u.windows),
    String(u.messages),
    u.messages === 0 ? '0%' : `${Math.round((100 * u.skipped) / u.messages)}%`,
    String(u.facts),
    String(u.llmCalls),
    String(u.inputTokens),
    String(u.outputTokens),
  ];
  const lines = renderTable(
    ['day', 'windows', 'messages', 'skipped', 'facts', 'llm calls', 'tokens in', 'tokens out'],
    [...usage.days.map((d) => row(d.day, d)), row('total', usage.total)],
  );
  if (usage.cost) {
    const { price } = usage.cost;
    lines.push(
      `estimated cost: $${usage.cost.usd} (${usage.cost.model} at $${price.input} in / $${price.output} out per million tokens)`,
    );
  } else if (model === null) {
    lines.push('No LLM is configured, so there is no cost to estimate.');
  } else {
    lines.push(
      `No price known for ${model}: set it in engram.config.json, e.g. {"observe": {"prices": {"${model}": {"input": 0.15, "output": 0.6}}}} (US dollars per million tokens).`,
    );
  }
  return lines;
}
