import type { Store } from '../../spec/store.js';

/**
 * What observation keeps per channel, in the store's meta table (keys per tenant and channel):
 * - the cursor: the id of the last logged message a window has taken, and the last few taken
 *   messages (the next window's context, so a fact split across two windows is not lost) —
 *   written only by window runs, which hold the channel's lock;
 * - speakers' display names as last seen (cosmetic: the prompt shows them, ids decide who is who);
 * - usage per day (calls, tokens, windows, messages), added to by each window.
 */
export interface ChannelCursor {
  after: number;
  context: { speakerName: string; content: string }[];
}

export interface DayUsage {
  windows: number;
  messages: number;
  skipped: number;
  facts: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  embedCalls: number;
}

const key = (kind: string, tenant: string, channel: string) =>
  `observe.${kind}\u001f${tenant}\u001f${channel}`;

export async function readCursor(store: Store, tenant: string, channel: string): Promise<ChannelCursor> {
  const raw = await store.getMeta(key('cursor', tenant, channel));
  return raw ? (JSON.parse(raw) as ChannelCursor) : { after: 0, context: [] };
}

export async function writeCursor(
  store: Store,
  tenant: string,
  channel: string,
  cursor: ChannelCursor,
): Promise<void> {
  await store.setMeta(key('cursor', tenant, channel), JSON.stringify(cursor));
}

export async function readNames(
  store: Store,
  tenant: string,
  channel: string,
): Promise<Record<string, string>> {
  const raw = await store.getMeta(key('names', tenant, channel));
  return raw ? (JSON.parse(raw) as Record<string, string>) : {};
}

/** Records display names that changed (last one wins; a lost race only shows an older name). */
export async function rememberNames(
  store: Store,
  tenant: string,
  channel: string,
  seen: Record<string, string>,
): Promise<void> {
  const known = await readNames(store, tenant, channel);
  if (Object.entries(seen).every(([id, name]) => known[id] === name)) return;
  await store.setMeta(key('names', tenant, channel), JSON.stringify({ ...known, ...seen }));
}

export async function addDayUsage(
  store: Store,
  tenant: string,
  channel: string,
  day: string,
  delta: DayUsage,
): Promise<void> {
  const k = key(`usage.${day}`, tenant, channel);
  const raw = await store.getMeta(k);
  const total: DayUsage = raw ? (JSON.parse(raw) as DayUsage) : emptyUsage();
  for (const field of Object.keys(total) as (keyof DayUsage)[]) total[field] += delta[field];
  await store.setMeta(k, JSON.stringify(total));
}

export async function readDayUsage(
  store: Store,
  tenant: string,
  channel: string,
  day: string,
): Promise<DayUsage | null> {
  const raw = await store.getMeta(key(`usage.${day}`, tenant, channel));
  return raw ? (JSON.parse(raw) as DayUsage) : null;
}

export function emptyUsage(): DayUsage {
  return {
    windows: 0,
    messages: 0,
    skipped: 0,
    facts: 0,
    llmCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    embedCalls: 0,
  };
}
