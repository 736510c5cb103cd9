import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { IngestWorker } from '../../ingest/ingest-worker.js';
import { planIngest } from '../../ingest/message-file.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines } from '../output.js';
import { parseIntegerFlag } from '../parse-flags.js';
import { ProgressBar } from '../progress-bar.js';
import { readInput } from '../read-input.js';
import { readScope, withScopeOptions } from './scope-options.js';

interface IngestSummary {
  messages: number;
  scopes: number;
  batches: number;
  infer: boolean;
  /** --no-infer: memories written, and messages already stored (same text, same scope). */
  added: number;
  unchanged: number;
  /** Inferred: adds queued now, and adds of this file queued by an earlier run. */
  queued: number;
  alreadyQueued: number;
  /** With --run-now: queued adds the worker ran in this process. */
  ran: number | null;
}

/**
 * `engram ingest <file|->`: bulk ingestion of a messages file (src/ingest/message-file.ts). The
 * whole file is checked before anything is written. Raw adds (--no-infer) are written here; inferred
 * adds are queued, one job per batch, keyed on the file's content so a second run queues nothing,
 * and the worker (`engram serve`, or --run-now here) leases a scope's jobs together and extracts
 * them as one inference: a large file costs a few LLM calls per scope, not one per message, and an
 * interruption loses nothing already queued.
 */
export const ingestCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program
      .command('ingest')
      .description('add a file of messages (JSON array or JSON Lines; - for standard input) in batches')
      .argument('<file>', 'the messages file, or - for standard input')
      .option('--no-infer', 'store each message as it is, without the LLM')
      .option('--batch <n>', 'most messages per add (one conversation, one event_time)', '20')
      .option('--run-now', 'run the queued inferred adds in this process (no server needed)'),
  ).action(async (file: string, options: Record<string, unknown>, command: Command) => {
    const globals = globalOptions(command);
    const batchSize = parseIntegerFlag(String(options.batch), '--batch', { min: 1 }) as number;
    const infer = options.infer !== false;
    const text = readInput(context, file);
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
    const summary = await withMemory(globals, context, async (memory) => {
      const limits = memory.config.limits;
      const plan = planIngest(text, readScope(options), {
        batchSize: Math.min(batchSize, limits.maxMessages),
        limits,
      });
      const out: IngestSummary = {
        messages: plan.messages,
        scopes: plan.scopes,
        batches: plan.batches.length,
        infer,
        added: 0,
        unchanged: 0,
        queued: 0,
        alreadyQueued: 0,
        ran: null,
      };
      const bar = new ProgressBar(context, infer ? 'queueing' : 'adding');
      let done = 0;
      for (const [i, batch] of plan.batches.entries()) {
        const addOptions = {
          ...batch.scope,
          ...(batch.eventTime === undefined ? {} : { eventTime: batch.eventTime }),
        };
        if (infer) {
          const queued = await memory.enqueueAdd(batch.messages, addOptions, {
            idempotencyKey: `ingest:${digest}:${i}`,
          });
          if (queued.created) out.queued += 1;
          else out.alreadyQueued += 1;
        } else {
          const result = await memory.add(batch.messages, { ...addOptions, infer: false });
          const added = result.results.filter((r) => r.event === 'ADD').length;
          out.added += added;
          out.unchanged += batch.messages.length - added;
        }
        done += batch.messages.length;
        bar.update(done, plan.messages);
      }
      bar.finish(`${infer ? 'queued' : 'added'} ${plan.messages} messages in ${plan.batches.length} batches`);
      if (infer && options.runNow === true) {
        out.ran = await new IngestWorker(memory, { onError: () => undefined }).drain();
      }
      return out;
    });
    if (globals.json) return printJson(context, summary);
    printLines(context, [
      `${summary.messages} messages, ${summary.scopes} conversations (scopes), ${summary.batches} batches.`,
      summary.infer
        ? `Queued ${summary.queued} inferred adds${summary.alreadyQueued > 0 ? ` (${summary.alreadyQueued} already queued by an earlier run)` : ''}; ${
            summary.ran === null
              ? 'engram serve runs them (or use --run-now).'
              : `ran ${summary.ran} here (engram jobs --failed lists any that failed).`
          }`
        : `Added ${summary.added} memories (${summary.unchanged} messages already stored).`,
    ]);
  });
};
