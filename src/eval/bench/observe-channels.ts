import type { ObservedMessage } from '../../memory/observe/observe-messages.js';
import type { LocomoConversation } from '../locomo/locomo-dataset.js';
import type { LocomoObservation } from '../locomo/locomo-observations.js';
import type { ReferenceFact, WindowReference } from './scripted-answers.js';

/** One LoCoMo conversation as an observed channel, with the facts its annotators wrote down. */
export interface ObservedChannel {
  /** The sample id ("conv-26"). */
  channel: string;
  speakers: { id: string; name: string }[];
  messages: (ObservedMessage & { time: string })[];
  /** The annotated observations with a source among the replayed messages, their sources cut to those. */
  reference: { id: number; text: string; speakerId: string; messageIds: string[] }[];
  /** Annotated observations none of whose dia_ids is a turn of the conversation (annotation slips). */
  unanchored: number;
}

/** "Caroline" → "caroline": speakers' stable ids come from their names (unique within a conversation). */
export const speakerIdOf = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-');

/**
 * A message's id: the bare dia_id ("D1:3"), the same in every conversation, as a platform's
 * per-chat ids are — engram keys logged messages per channel (sharedIdProbe in observe-replay.ts
 * checks it).
 */
export const messageIdOf = (_channel: string, diaId: string) => diaId;

/**
 * Each conversation becomes a channel: message id = the channel's dia_id, speaker id from the name, time = the
 * session's date + the turn's index in minutes, content = the text (and the shared image's
 * caption, as the annotators saw it). `maxTurns` keeps each conversation's first turns only.
 */
export function observedChannels(
  conversations: readonly LocomoConversation[],
  observations: ReadonlyMap<string, readonly LocomoObservation[]>,
  maxTurns = Number.POSITIVE_INFINITY,
): ObservedChannel[] {
  let nextFact = 0;
  return conversations.map((conversation) => {
    const messages: ObservedChannel['messages'] = [];
    for (const session of conversation.sessions) {
      if (!session.date) {
        throw new Error(
          `${conversation.sampleId}: session ${session.index} has no readable date ("${session.dateText}").`,
        );
      }
      const start = Date.parse(session.date);
      for (const [i, turn] of session.turns.entries()) {
        if (messages.length >= maxTurns) break;
        messages.push({
          id: messageIdOf(conversation.sampleId, turn.diaId),
          speakerId: speakerIdOf(turn.speaker),
          speakerName: turn.speaker,
          content: turn.caption
            ? `${turn.text.trim()} [shares a photo of ${turn.caption}]`
            : turn.text.trim(),
          time: new Date(start + i * 60_000).toISOString(),
        });
      }
    }
    const replayed = new Set(messages.map((m) => m.id));
    const turns = new Set(conversation.sessions.flatMap((s) => s.turns.map((t) => t.diaId)));
    const annotated = observations.get(conversation.sampleId) ?? [];
    const reference = annotated
      .map((o) => ({
        id: nextFact++,
        text: o.text,
        speakerId: speakerIdOf(o.speaker),
        messageIds: o.diaIds
          .map((id) => messageIdOf(conversation.sampleId, id))
          .filter((id) => replayed.has(id)),
      }))
      .filter((r) => r.messageIds.length > 0);
    return {
      channel: conversation.sampleId,
      speakers: conversation.speakers.map((name) => ({ id: speakerIdOf(name), name })),
      messages,
      reference,
      unanchored: annotated.filter((o) => !o.diaIds.some((id) => turns.has(id))).length,
    };
  });
}

/**
 * The scripted model's lookup, built before the run: channel and message time (to the minute, as
 * the window prompt shows it) → the reference facts that message is a source of. Throws when two
 * messages of a channel share a minute, since the prompt could not tell them apart.
 */
export function windowReference(channels: readonly ObservedChannel[]): WindowReference {
  const byTime = new Map<string, ReferenceFact[]>();
  for (const c of channels) {
    const factsOf = new Map<string, ReferenceFact[]>();
    for (const r of c.reference) {
      for (const id of r.messageIds) {
        const list = factsOf.get(id) ?? [];
        list.push({ id: r.id, text: r.text, speakerId: r.speakerId });
        factsOf.set(id, list);
      }
    }
    for (const m of c.messages) {
      const key = `${c.channel}\u001f${m.time.slice(0, 16).replace('T', ' ')}`;
      if (byTime.has(key))
        throw new Error(`${c.channel}: two messages at ${m.time}; the lookup needs one a minute.`);
      byTime.set(key, factsOf.get(m.id) ?? []);
    }
  }
  return { factsAt: (channel, time) => byTime.get(`${channel}\u001f${time}`) ?? [] };
}
