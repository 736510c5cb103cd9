import { randomUUID } from 'node:crypto';
import type { StoredMessage } from '../../spec/memory-record.js';
import type { Change } from '../../spec/store.js';
import { textHash } from '../../util/text-hash.js';
import { countTokens } from '../../util/token-count.js';
import type { AddResultItem, Usage } from '../api-types.js';
import { findKnownFact } from '../inference/find-known-fact.js';
import { callStructured } from '../inference/structured-call.js';
import { UsageMeter } from '../inference/usage-meter.js';
import type { MemoryContext } from '../memory-context.js';
import { GROUP_SPEAKER, type ObservedFact, observeWindowPrompt } from '../prompts/observe-window.js';
import { scopeFilter } from '../resolve-scope.js';
import { markFor, withMark } from '../safety/safety-mark.js';
import { screenText } from '../safety/screen-text.js';
import { addDayUsage, readCursor, readNames, writeCursor } from './channel-state.js';
import { channelScope, messageIdOf, scheduleWindow } from './observe-messages.js';
import { compileRules, type SkipReason } from './screen-message.js';

export interface WindowResult {
  channel_id: string;
  /** Messages the window took from the log, and of those the ones extraction saw. */
  messages: number;
  extracted: number;
  skipped: Partial<Record<SkipReason, number>>;
  results: AddResultItem[];
  usage: Usage;
  /** How long the oldest message of the window had waited, in ms (the channel's lag). */
  lagMs: number;
  /** More messages were waiting than fit the token budget: another window is due now. */
  more: boolean;
}

/** Messages read from the log per window at most, before the token budget cuts. */
const MAX_READ = 2000;

/**
 * One observation window of a channel, under the channel's lock: the messages logged after the
 * cursor (as many as fit `maxWindowTokens`), screened, sent in ONE structured call that names the
 * speaker of each fact; each fact goes to its speaker's user scope in the channel's run (GROUP
 * facts to the channel's scope), unless that scope already holds it; then the cursor moves.
 *
 * Facts are added, not reconciled: reconciling would cost a call per speaker and undo the point of
 * windows. A crash before the cursor moves runs the window again; the store's unique active text
 * and the near-duplicate check keep it from writing a fact twice.
 */
export async function runObserveWindow(
  ctx: MemoryContext,
  channel: string,
  /** The trigger job's cursor position; a trigger made before the cursor moved only reschedules. */
  trigger?: { after: number },
): Promise<WindowResult> {
  const { tenant, engine } = ctx;
  return engine.exclusive(`observe\u001f${tenant}\u001f${channel}`, async () => {
    const { store, gate } = await ctx.open();
    const settings = ctx.config.observe;
    const meter = new UsageMeter();
    const now = engine.now();
    const cursor = await readCursor(store, tenant, channel);
    const waiting = await store.messagesAfter(channelScope(tenant, channel), cursor.after, MAX_READ);
    const window = withinBudget(waiting, settings.maxWindowTokens);
    // A timer set for messages an earlier window already took would cut the next window short:
    // it makes the trigger the messages now waiting deserve instead (due when theirs is).
    const stale =
      trigger !== undefined && trigger.after !== cursor.after && waiting.length < settings.windowMessages;
    if (stale && window.length > 0) await scheduleWindow(ctx, store, channel, settings, now);
    if (window.length === 0 || stale) {
      // A trigger whose messages an earlier window took: nothing to do, nothing to count.
      return {
        channel_id: channel,
        messages: 0,
        extracted: 0,
        skipped: {},
        results: [],
        usage: meter.toUsage(),
        lagMs: 0,
        more: false,
      };
    }
    const screen = compileRules(settings);
    const skipped: Partial<Record<SkipReason, number>> = {};
    const kept: StoredMessage[] = [];
    for (const m of window) {
      const reason = screen({
        speakerId: m.name ?? '',
        content: m.content,
        bot: m.role === 'assistant',
        system: m.role === 'system',
      });
      if (reason) skipped[reason] = (skipped[reason] ?? 0) + 1;
      else kept.push(m);
    }
    const names = await readNames(store, tenant, channel);
    const nameOf = (id: string) => names[id] ?? id;
    let facts: ObservedFact[] = [];
    if (kept.length > 0) {
      const reply = await meter.stage('llm', () =>
        callStructured(
          engine.chain(),
          observeWindowPrompt,
          {
            channel,
            observedAt: kept[kept.length - 1]!.eventTime,
            context: cursor.context,
            messages: kept.map((m, n) => ({
              n,
              speakerId: m.name ?? '',
              speakerName: nameOf(m.name ?? ''),
              time: m.eventTime,
              content: m.content,
            })),
            customInstructions: ctx.config.extraction.customInstructions,
          },
          meter,
        ),
      );
      facts = reply.facts;
    }
    const results = await writeFacts(ctx, channel, kept, facts, meter);
    const last = window[window.length - 1];
    if (last) {
      const context = [
        ...cursor.context,
        ...kept.map((m) => ({ speakerName: nameOf(m.name ?? ''), content: m.content })),
      ];
      await writeCursor(store, tenant, channel, {
        after: last.id,
        context: context.slice(Math.max(0, context.length - settings.overlap)),
      });
    }
    const usage = meter.toUsage();
    await store.recordUsage(tenant, { userId: null, agentId: null, runId: channel }, usage, now);
    const skippedCount = Object.values(skipped).reduce((a, b) => a + (b ?? 0), 0);
    await addDayUsage(store, tenant, channel, now.slice(0, 10), {
      windows: 1,
      messages: window.length,
      skipped: skippedCount,
      facts: results.filter((r) => r.event === 'ADD').length,
      llmCalls: usage.llmCalls,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      embedCalls: usage.embedCalls,
    });
    if (gate.embedder && results.some((r) => r.event === 'ADD')) await gate.recordModel();
    const more = waiting.length > window.length;
    if (more || window.length > 0) await scheduleWindow(ctx, store, channel, settings, now);
    const lagMs = window[0] ? Math.max(0, Date.parse(now) - Date.parse(window[0].createdAt)) : 0;
    if (window.length > 0) {
      const added = results.filter((r) => r.event === 'ADD').length;
      engine.observers.window({
        tenant,
        channel,
        messages: window.length,
        extracted: kept.length,
        facts: added,
        lagMs,
      });
    }
    return {
      channel_id: channel,
      messages: window.length,
      extracted: kept.length,
      skipped,
      results,
      usage,
      lagMs,
      more,
    };
  });
}

/** The oldest messages whose text fits the budget (at least one, however long). */
function withinBudget(messages: StoredMessage[], budget: number): StoredMessage[] {
  let used = 0;
  const taken: StoredMessage[] = [];
  for (const m of messages) {
    const cost = countTokens(m.content) + 8;
    if (taken.length > 0 && used + cost > budget) break;
    used += cost;
    taken.push(m);
  }
  return taken;
}

/** Each fact into its speaker's scope (or the channel's), skipping what that scope already holds. */
async function writeFacts(
  ctx: MemoryContext,
  channel: string,
  kept: StoredMessage[],
  observed: ObservedFact[],
  meter: UsageMeter,
): Promise<AddResultItem[]> {
  if (observed.length === 0) return [];
  const { store, gate } = await ctx.open();
  const at = ctx.engine.now();
  // What the model wrote is screened like any stored text: redacted, hidden characters gone, marked.
  const screened = observed.map((f) => screenText(f.text, ctx.config.safety));
  const facts = observed.map((f, i) => ({ ...f, text: screened[i]!.text }));
  const vectors = await gate.embed(
    facts.map((f) => f.text),
    { meter },
  );
  const results: AddResultItem[] = [];
  const changes: Change[] = [];
  for (const [i, fact] of facts.entries()) {
    const speaker = fact.speaker === GROUP_SPEAKER ? null : fact.speaker;
    const ids = { userId: speaker, agentId: null, runId: channel };
    const filter = scopeFilter(ids);
    const vector = vectors?.[i] ?? null;
    const known = await findKnownFact(store, ctx.tenant, filter!, fact.text, vector);
    if (known) {
      results.push({ id: known.id, memory: known.text, event: 'NONE' });
      continue;
    }
    const sources = fact.messages.map((n) => kept[n]).filter((m) => m !== undefined);
    changes.push({
      kind: 'insert',
      memory: {
        id: randomUUID(),
        ...ids,
        actorId: speaker,
        // A fact drawn only from bot turns is the assistant's, not the speaker's.
        role: sources.length > 0 && sources.every((m) => m.role === 'assistant') ? 'assistant' : 'user',
        text: fact.text,
        hash: textHash(fact.text),
        metadata: withMark(
          {
            channel_id: channel,
            message_ids: sources.map((m) => messageIdOf(channel, m.ref)),
            ...(fact.event_date ? { event_date: fact.event_date } : {}),
          },
          markFor(screened[i]!.flags, ctx.config.safety.instructions),
        ),
        categories: [fact.category],
        importance: fact.importance,
        memoryType: 'episodic',
        validFrom: sources[0]?.eventTime ?? kept[kept.length - 1]?.eventTime ?? at,
        source: sources.map((m) => m.ref ?? String(m.id)),
        embedding: vector,
        embeddingModel: vector ? gate.model : null,
        at,
        actor: 'observe',
        reason: `observed in ${channel}`,
      },
    });
  }
  if (changes.length > 0) {
    const outcomes = await meter.stage('apply', () => store.applyChanges(ctx.tenant, changes));
    for (const o of outcomes) {
      results.push({ id: o.record.id, memory: o.record.text, event: o.inserted ? 'ADD' : 'NONE' });
    }
  }
  return results;
}
