import type { Memory } from '../../../memory/memory.js';
import {
  extractFactsPrompt,
  reconcileMemoriesPrompt,
  singlePassPrompt,
} from '../../../memory/prompts/index.js';
import { MemoryError } from '../../../spec/memory-error.js';
import type { LocomoConversation, LocomoSession } from '../locomo-dataset.js';
import { locomoMemoryText } from '../locomo-memory-text.js';
import { lastSessionDate } from './pick-conversations.js';
import type { QaCheckpoint, QaSettings } from './qa-checkpoint.js';

export type IngestMode = 'inferred' | 'raw' | 'both';
export const INGEST_MODES: readonly IngestMode[] = ['inferred', 'raw', 'both'];

export function ingestionPrompts(ingest: IngestMode, mode: string): QaSettings['prompts'] {
  if (ingest === 'raw') return [];
  const used = mode === 'single-pass' ? [singlePassPrompt] : [extractFactsPrompt, reconcileMemoriesPrompt];
  return used.map((p) => ({ id: p.id, version: p.version, role: 'ingestion' }));
}

export interface IngestContext {
  ingest: IngestMode;
  checkpoint: QaCheckpoint;
  clock: (date: Date) => void;
  onProgress: ((line: string) => void) | undefined;
}

/** Adds a conversation session by session, in order, so later sessions reconcile against earlier ones. */
export async function ingestConversation(
  memory: Memory,
  conversation: LocomoConversation,
  ctx: IngestContext,
): Promise<void> {
  const userId = conversation.sampleId;
  // A fresh run into an existing --db starts its scope empty; a resumed one keeps what it added.
  if (!ctx.checkpoint.hasSessions(userId)) await memory.deleteAll({ userId });
  for (const session of conversation.sessions) {
    if (ctx.checkpoint.isSessionDone(userId, session.index)) continue;
    ctx.onProgress?.(`ingesting ${userId}: session ${session.index} of ${conversation.sessions.length}`);
    const eventTime = session.date ?? lastSessionDate(conversation);
    ctx.clock(new Date(eventTime));
    const t0 = performance.now();
    const spent = { llm_calls: 0, input_tokens: 0, output_tokens: 0, embed_calls: 0 };
    const errors: string[] = [];
    const add = async (...args: Parameters<Memory['add']>) => {
      try {
        const result = await memory.add(...args);
        spent.llm_calls += result.usage.llmCalls;
        spent.input_tokens += result.usage.inputTokens;
        spent.output_tokens += result.usage.outputTokens;
        spent.embed_calls += result.usage.embedCalls;
        for (const e of result.errors ?? []) errors.push(`${e.code}: ${e.message}`);
      } catch (error) {
        if (!(error instanceof MemoryError) || error.category !== 'upstream') throw error;
        errors.push(`${error.code}: ${error.message}`);
      }
    };
    if (ctx.ingest !== 'raw') await addInferred(add, memory, conversation, session, eventTime);
    if (ctx.ingest !== 'inferred') await addRaw(add, conversation, session, eventTime);
    await ctx.checkpoint.record({
      type: 'session',
      conversation: userId,
      session: session.index,
      usage: { ...spent, ms: Math.round(performance.now() - t0) },
      errors,
    });
  }
}

type AddFn = (...args: Parameters<Memory['add']>) => Promise<void>;

/** Both speakers' turns of one session through the inferred add, in chunks the engine accepts. */
async function addInferred(
  add: AddFn,
  memory: Memory,
  conversation: LocomoConversation,
  session: LocomoSession,
  eventTime: string,
): Promise<void> {
  const messages = session.turns.map((turn) => ({
    role: 'user',
    name: turn.speaker,
    content: turn.caption ? `${turn.text.trim()} [shares a photo of ${turn.caption}]` : turn.text.trim(),
  }));
  const size = memory.config.limits.maxMessages;
  for (let i = 0; i < messages.length; i += size) {
    await add(messages.slice(i, i + size), {
      userId: conversation.sampleId,
      eventTime,
      infer: true,
      metadata: { session: session.index, date: session.dateText },
    });
  }
}

/** Every turn as its own memory (infer: false), the same text as the retrieval benchmark stores. */
async function addRaw(
  add: AddFn,
  conversation: LocomoConversation,
  session: LocomoSession,
  eventTime: string,
): Promise<void> {
  for (const [i, turn] of session.turns.entries()) {
    await add([{ role: 'user', name: turn.speaker, content: locomoMemoryText(turn, session.turns[i - 1]) }], {
      userId: conversation.sampleId,
      infer: false,
      eventTime,
      metadata: { dia_id: turn.diaId, session: session.index, speaker: turn.speaker, date: session.dateText },
    });
  }
}
