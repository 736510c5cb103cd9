import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One text of a safety corpus: `label` is the class (injections) or kind (benign look-alikes). */
export interface CorpusEntry {
  id: string;
  label: string;
  text: string;
  /** Written after the detector was tuned, and not used to tune it. */
  heldOut: boolean;
}

export interface SafetyCorpus {
  injections: CorpusEntry[];
  benign: CorpusEntry[];
}

/** The two corpora of test/fixtures/safety (the same path from src/ and from dist/). */
export function loadSafetyCorpus(
  dir = fileURLToPath(new URL('../../../test/fixtures/safety/', import.meta.url)),
): SafetyCorpus {
  const read = (file: string, field: 'class' | 'kind'): CorpusEntry[] => {
    const parsed = JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as {
      entries: { id: string; text: string; class?: string; kind?: string; heldOut?: boolean }[];
    };
    return parsed.entries.map((e) => ({
      id: e.id,
      label: e[field] ?? 'unlabelled',
      text: e.text,
      heldOut: e.heldOut === true,
    }));
  };
  return { injections: read('injections.json', 'class'), benign: read('benign.json', 'kind') };
}

export interface SafetyRates {
  injections: number;
  benign: number;
  /** Injections flagged / injections. */
  detectionRate: number;
  /** Benign texts flagged / benign texts. */
  falsePositiveRate: number;
  /** Per label: flagged / total. */
  byLabel: { corpus: 'injections' | 'benign'; label: string; flagged: number; total: number }[];
  missed: CorpusEntry[];
  falsePositives: CorpusEntry[];
}

/** Rates of a classifier (true: flagged) over both corpora. */
export async function measureSafety(
  corpus: SafetyCorpus,
  flagged: (entry: CorpusEntry) => boolean | Promise<boolean>,
): Promise<SafetyRates> {
  const byLabel = new Map<string, SafetyRates['byLabel'][number]>();
  const missed: CorpusEntry[] = [];
  const falsePositives: CorpusEntry[] = [];
  let hits = 0;
  let false_ = 0;
  for (const [corpusName, entries] of [
    ['injections', corpus.injections],
    ['benign', corpus.benign],
  ] as const) {
    for (const entry of entries) {
      const label = entry.heldOut ? 'held out' : entry.label;
      const key = `${corpusName}\u001f${label}`;
      const row = byLabel.get(key) ?? { corpus: corpusName, label, flagged: 0, total: 0 };
      byLabel.set(key, row);
      row.total++;
      const isFlagged = await flagged(entry);
      if (isFlagged) row.flagged++;
      if (corpusName === 'injections') {
        if (isFlagged) hits++;
        else missed.push(entry);
      } else if (isFlagged) {
        false_++;
        falsePositives.push(entry);
      }
    }
  }
  return {
    injections: corpus.injections.length,
    benign: corpus.benign.length,
    detectionRate: hits / corpus.injections.length,
    falsePositiveRate: false_ / corpus.benign.length,
    byLabel: [...byLabel.values()],
    missed,
    falsePositives,
  };
}
