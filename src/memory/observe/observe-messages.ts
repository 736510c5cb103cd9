import type { ObserveConfig } from '../../config/engram-config.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { Store } from '../../spec/store.js';
import { parseTime } from '../../util/parse-time.js';
import type { MemoryContext } from '../memory-context.js';
import { screenText } from '../safety/screen-text.js';
import { checkText } from '../validate-input.js';
import { readCursor, rememberNames } from './channel-state.js';
import { compileRules, type SkipReason } from './screen-message.js';

/** A message of a channel as the application saw it. */
export interface ObservedMessage {
  /** The platform's message id: logging is idempotent on it (a replay logs nothing twice). */
  id: string;
  /** The speaker's stable id (their user scope); the display name may change, the id does not. */
  speakerId: string;
  speakerName?: string | undefined;
  content: string;
  /** When it was said (default: now). */
  time?: string | number | Date | undefined;
  bot?: boolean | undefined;
  system?: boolean | undefined;
}

export interface ObserveOptions {
  channelId: string;
}

export interface ObserveResult {
  channel_id: string;
  /** Messages logged now (the rest were logged before: same ids). */
  logged: number;
  duplicates: number;
  /** Logged but not sent to extraction, by rule. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Messages waiting for the channel's next window, and when that window runs at the latest. */
  pending: number;
  window_due_at: string | null;
}

export const OBSERVE_JOB = 'observe';
const MAX_MESSAGES = 1000;
const OBSERVE_ATTEMPTS = 5;

/**
 * A logged message's ref: platform ids are unique per channel at most (Telegram numbers messages
 * per chat), and refs are unique per tenant, so the channel is part of it.
 */
export function messageRef(channel: string, id: string): string {
  return `obs\u001f${channel}\u001f${id}`;
}

/** The platform's message id back from a ref made by messageRef. */
export function messageIdOf(channel: string, ref: string | null): string {
  const prefix = messageRef(channel, '');
  return ref?.startsWith(prefix) ? ref.slice(prefix.length) : (ref ?? '');
}

/** The channel's log: the run scope named after the channel. */
export const channelScope = (tenant: string, channel: string) => ({ tenant, runId: channel });

/**
 * Logs a channel's messages at once (durable, idempotent on message ids) and makes sure a window
 * job will take them: now when the channel holds `windowMessages` waiting messages, else
 * `windowMinutes` after this call. Extraction happens in the window (run-window.ts), not here.
 */
export async function observeMessages(
  ctx: MemoryContext,
  input: unknown,
  options: ObserveOptions,
): Promise<ObserveResult> {
  const channel = checkChannel(options?.channelId);
  const messages = checkMessages(ctx, input);
  const settings = ctx.config.observe;
  const { store } = await ctx.open();
  const screen = compileRules(settings);
  const skipped: Partial<Record<SkipReason, number>> = {};
  const now = ctx.engine.now();
  const logged = await store.appendMessages(
    channelScope(ctx.tenant, channel),
    messages.map((m) => ({
      role: m.system ? 'system' : m.bot ? 'assistant' : 'user',
      name: m.speakerId,
      content: m.content,
      eventTime: m.time === undefined ? now : parseTime(m.time, 'time'),
      ref: messageRef(channel, m.id),
    })),
    now,
  );
  const fresh = new Set(logged.map((m) => m.ref));
  for (const m of messages) {
    if (!fresh.has(messageRef(channel, m.id))) continue;
    const reason = screen(m);
    if (reason) skipped[reason] = (skipped[reason] ?? 0) + 1;
  }
  const names = Object.fromEntries(
    messages.filter((m) => m.speakerName).map((m) => [m.speakerId, m.speakerName as string]),
  );
  if (Object.keys(names).length > 0) await rememberNames(store, ctx.tenant, channel, names);
  const { pending, dueAt } = await scheduleWindow(ctx, store, channel, settings, now);
  return {
    channel_id: channel,
    logged: logged.length,
    duplicates: messages.length - logged.length,
    skipped,
    pending,
    window_due_at: dueAt,
  };
}

/**
 * One window job per channel and cursor position for each trigger: `full` (enough messages wait:
 * due now) and `timer` (due `windowMinutes` after the first call that found the channel waiting).
 * Idempotency keys make repeated calls find the same jobs, so the queue holds at most two
 * triggers per channel however far the worker is behind — the window grows instead.
 */
export async function scheduleWindow(
  ctx: MemoryContext,
  store: Store,
  channel: string,
  settings: ObserveConfig,
  now: string,
): Promise<{ pending: number; dueAt: string | null }> {
  const cursor = await readCursor(store, ctx.tenant, channel);
  const waiting = await store.messagesAfter(
    channelScope(ctx.tenant, channel),
    cursor.after,
    settings.windowMessages,
  );
  if (waiting.length === 0) return { pending: 0, dueAt: null };
  const full = waiting.length >= settings.windowMessages;
  // windowMinutes after the first waiting message was logged (not after this call).
  const first = Date.parse(waiting[0]!.createdAt);
  const dueAt = full
    ? now
    : new Date(Math.max(Date.parse(now), first + settings.windowMinutes * 60_000)).toISOString();
  const { job } = await store.enqueueJob(
    ctx.tenant,
    {
      id: crypto.randomUUID(),
      kind: OBSERVE_JOB,
      payload: { channelId: channel, after: cursor.after, trigger: full ? 'full' : 'timer' },
      maxAttempts: OBSERVE_ATTEMPTS,
      runAt: dueAt,
      idempotencyKey: `observe\u001f${channel}\u001f${cursor.after}\u001f${full ? 'full' : 'timer'}`,
    },
    now,
  );
  return { pending: waiting.length, dueAt: job.nextAttemptAt };
}

function checkChannel(channel: unknown): string {
  if (typeof channel !== 'string' || channel.trim() === '') {
    throw new MemoryError('invalid_input', 'observe needs the channel: pass channelId (a non-empty string).');
  }
  return channel;
}

function checkMessages(ctx: MemoryContext, input: unknown): ObservedMessage[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new MemoryError('invalid_input', 'observe takes a non-empty list of messages.');
  }
  if (input.length > MAX_MESSAGES) {
    throw new MemoryError(
      'invalid_input',
      `observe takes at most ${MAX_MESSAGES} messages per call, got ${input.length}; send them in several calls.`,
    );
  }
  const seen = new Set<string>();
  return input.map((raw, i) => {
    const m = (raw ?? {}) as Partial<ObservedMessage>;
    const where = `messages[${i}]`;
    if (typeof m.id !== 'string' || m.id === '') {
      throw new MemoryError(
        'invalid_input',
        `${where}.id is required: the platform's message id (a string).`,
      );
    }
    if (seen.has(m.id))
      throw new MemoryError('invalid_input', `${where}.id "${m.id}" appears twice in this call.`);
    seen.add(m.id);
    if (typeof m.speakerId !== 'string' || m.speakerId === '') {
      throw new MemoryError('invalid_input', `${where}.speakerId is required: the speaker's stable id.`);
    }
    if (m.speakerName !== undefined && typeof m.speakerName !== 'string') {
      throw new MemoryError('invalid_input', `${where}.speakerName must be a string.`);
    }
    // Logged redacted and without hidden characters: the window's model only ever reads the log.
    const content = screenText(
      checkText(m.content, ctx.config.limits, `${where}.content`),
      ctx.config.safety,
    ).text;
    return { ...m, id: m.id, speakerId: m.speakerId, content } as ObservedMessage;
  });
}
