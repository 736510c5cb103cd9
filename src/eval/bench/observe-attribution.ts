import type { MemoryItem } from '../../memory/api-types.js';
import type { Memory } from '../../memory/memory.js';
import type { ObservedChannel } from './observe-channels.js';

/**
 * Where the annotated observations ended up after a windowed replay. The scripted model answered
 * each window with the observations of its messages, so every miss or misplacement is engram's:
 * the window numbering, the speaker → scope mapping, the duplicate checks.
 */
export interface AttributionCheck {
  /** Annotated observations with a source among the replayed messages. */
  reference: number;
  /** Of those, the ones whose every source message was screened out before the LLM. */
  screenedOut: number;
  /** reference − screenedOut: what the windows could find. */
  extractable: number;
  /** Stored (same text) in the user scope of the speaker the annotators named. */
  rightScope: number;
  /** ... with `metadata.message_ids` among the observation's dia_ids. */
  sourcesRight: number;
  /** Not in its speaker's scope but in another speaker's or the channel's. */
  wrongScope: number;
  /** Nowhere in the channel. */
  missing: number;
  /** rightScope / extractable. */
  share: number;
  /** Annotations whose dia_ids are no turns of their conversation: not counted above. */
  unanchored: number;
  /** A few of the missing or misplaced observations, to look into. */
  examples: string[];
}

async function scopeTexts(memory: Memory, options: { userId?: string; runId: string }) {
  const page = await memory.getAll({ ...options, limit: 1000 });
  if (page.next_cursor)
    throw new Error(`attribution: more than 1,000 memories in ${JSON.stringify(options)}`);
  return page.results;
}

export async function checkAttribution(
  memory: Memory,
  channels: readonly ObservedChannel[],
  screenedOut: ReadonlySet<string>,
): Promise<AttributionCheck> {
  const check: AttributionCheck = {
    reference: 0,
    screenedOut: 0,
    extractable: 0,
    rightScope: 0,
    sourcesRight: 0,
    wrongScope: 0,
    missing: 0,
    share: 0,
    unanchored: 0,
    examples: [],
  };
  for (const c of channels) {
    check.unanchored += c.unanchored;
    const all = await scopeTexts(memory, { runId: c.channel });
    const bySpeaker = new Map<string, Map<string, MemoryItem>>();
    for (const item of all) {
      const owner = item.user_id ?? '(channel)';
      const texts = bySpeaker.get(owner) ?? new Map<string, MemoryItem>();
      texts.set(item.memory, item);
      bySpeaker.set(owner, texts);
    }
    // Annotations may repeat a text for one speaker: its stored sources are those of any of them.
    const sourcesOf = new Map<string, Set<string>>();
    for (const r of c.reference) {
      const key = `${r.speakerId}\u001f${r.text}`;
      const set = sourcesOf.get(key) ?? new Set<string>();
      for (const id of r.messageIds) set.add(id);
      sourcesOf.set(key, set);
    }
    for (const r of c.reference) {
      check.reference++;
      if (r.messageIds.every((id) => screenedOut.has(`${c.channel}\u001f${id}`))) {
        check.screenedOut++;
        continue;
      }
      check.extractable++;
      const stored = bySpeaker.get(r.speakerId)?.get(r.text);
      if (stored) {
        check.rightScope++;
        const ids = (stored.metadata.message_ids ?? []) as string[];
        const allowed = sourcesOf.get(`${r.speakerId}\u001f${r.text}`) ?? new Set<string>();
        if (ids.length > 0 && ids.every((id) => allowed.has(id))) check.sourcesRight++;
        continue;
      }
      const elsewhere = [...bySpeaker.entries()].find(([, texts]) => texts.has(r.text));
      if (elsewhere) check.wrongScope++;
      else check.missing++;
      if (check.examples.length < 5) {
        check.examples.push(
          `${c.channel} ${r.messageIds.join(',')} (${r.speakerId}): "${r.text}" — ${elsewhere ? `in ${elsewhere[0]}'s scope` : 'not stored'}`,
        );
      }
    }
  }
  check.share =
    check.extractable === 0 ? 1 : Math.round((check.rightScope / check.extractable) * 10_000) / 10_000;
  return check;
}
