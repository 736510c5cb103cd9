import type { Mem0Skip, Mem0SkipCode } from './mem0-records.js';

/** What `engram import --from-mem0` did: what each source held, what was imported, what was skipped and why. */
export interface Mem0ImportReport {
  sources: { source: string; memories: number; historyRows: number; messages: number }[];
  /** Files of a directory that are not mem0's, passed over. */
  passedOver: string[];
  memories: {
    /** Memories the sources know (by id), entity-index entries not counted. */
    found: number;
    imported: number;
    alreadyThere: number;
    active: number;
    deleted: number;
    versions: number;
    historyEvents: number;
  };
  messages: { found: number; imported: number; alreadyThere: number };
  vectors: {
    /** Memories whose vector came from the source. */
    kept: number;
    /** Why the source's vectors were (not) kept. */
    reason: string;
    /** Versions embedded by the configured embedder after the import; null without an embedder. */
    reembedded: number | null;
  };
  skipped: Mem0Skip[];
  /** Things worth knowing that are not skips (estimated times, ignored events). */
  notes: string[];
}

const EXAMPLES = 3;

/** The report as lines for a terminal: counts, then skips grouped by reason with a few ids each. */
export function renderMem0Report(report: Mem0ImportReport): string[] {
  const m = report.memories;
  const lines = [
    ...report.sources.map(
      (s) =>
        `read ${s.source}: ${s.memories} memories, ${s.historyRows} history rows, ${s.messages} messages`,
    ),
    ...report.passedOver.map((file) => `passed over ${file}: not a mem0 database`),
    `memories: ${m.imported} imported (${m.active} active, ${m.deleted} deleted; ${m.versions} versions, ${m.historyEvents} history events), ${m.alreadyThere} already there, ${report.skipped.filter((s) => s.code !== 'invalid_message').length} skipped, of ${m.found} found`,
    `messages: ${report.messages.imported} imported, ${report.messages.alreadyThere} already there, of ${report.messages.found}`,
    `vectors: ${report.vectors.kept} kept from the source — ${report.vectors.reason}`,
  ];
  if (report.vectors.reembedded !== null) {
    lines.push(`embedded ${report.vectors.reembedded} memory versions with the configured embedder`);
  }
  const groups = new Map<Mem0SkipCode, Mem0Skip[]>();
  for (const skip of report.skipped) groups.set(skip.code, [...(groups.get(skip.code) ?? []), skip]);
  for (const [code, skips] of groups) {
    const first = skips[0]!;
    const ids = skips.slice(0, EXAMPLES).map((s) => s.id ?? '?');
    const more = skips.length > EXAMPLES ? `, and ${skips.length - EXAMPLES} more` : '';
    lines.push(`skipped ${skips.length} (${code}): ${first.reason} — ${ids.join(', ')}${more}`);
  }
  lines.push(...report.notes.map((note) => `note: ${note}`));
  return lines;
}
