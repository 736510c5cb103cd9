import type { MessageRowOut } from '../../spec/store-transfer.js';
import type { Mem0Skip, Mem0SourceData } from './mem0-records.js';
import { normalizeTime } from './mem0-time.js';

const SCOPE_KEYS: Readonly<Record<string, 'userId' | 'agentId' | 'runId'>> = {
  user_id: 'userId',
  agent_id: 'agentId',
  run_id: 'runId',
};

/** mem0's session scope, `agent_id=…&run_id=…&user_id=…` (values %-escaped), or null when it is not one. */
export function parseSessionScope(
  text: string | null,
): { userId: string | null; agentId: string | null; runId: string | null } | null {
  if (text === null || text === '') return null;
  const ids = { userId: null as string | null, agentId: null as string | null, runId: null as string | null };
  for (const part of text.split('&')) {
    const at = part.indexOf('=');
    const field = SCOPE_KEYS[part.slice(0, at)];
    if (at < 0 || field === undefined) return null;
    try {
      ids[field] = decodeURIComponent(part.slice(at + 1));
    } catch {
      return null;
    }
  }
  return ids;
}

/**
 * mem0's recent messages (it keeps the last 10 per session scope) as engram message rows, each
 * with the reference `mem0:<id>`, so importing them again adds none twice.
 */
export function mem0Messages(
  sources: readonly Mem0SourceData[],
  tenant: string,
): { rows: MessageRowOut[]; skipped: Mem0Skip[] } {
  const rows: MessageRowOut[] = [];
  const skipped: Mem0Skip[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    for (const m of source.messages) {
      const skip = (reason: string) =>
        skipped.push({ code: 'invalid_message', id: m.id, source: source.label, reason });
      const ids = parseSessionScope(m.sessionScope);
      const at = normalizeTime(m.createdAt);
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      if (ids === null)
        skip(`its session scope ${JSON.stringify(m.sessionScope)} names no user_id, agent_id or run_id`);
      else if (m.role === null || m.content === null || m.content.trim() === '')
        skip('it has no role or no content');
      else if (at === null) skip('it has no time');
      else {
        rows.push({
          tenant,
          ...ids,
          role: m.role,
          name: m.name,
          content: m.content,
          eventTime: at,
          createdAt: at,
          ref: `mem0:${m.id}`,
        });
      }
    }
  }
  rows.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { rows, skipped };
}
