import { readFile } from 'node:fs/promises';
import { normaliseEvidence } from './locomo-dataset.js';

/**
 * One annotated observation of a LoCoMo session: a fact about `speaker` (a speaker's name) and the
 * turns it comes from. The observe benchmark uses them as the reference a window should find.
 */
export interface LocomoObservation {
  speaker: string;
  text: string;
  /** The dia_ids it comes from, normalised ("D4:17, D4:19" → ["D4:17", "D4:19"]). */
  diaIds: string[];
  session: number;
}

/** The `observation` block of every sample of locomo10.json, by sample id, in session order. */
export async function loadLocomoObservations(path: string): Promise<Map<string, LocomoObservation[]>> {
  const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${path} is not a LoCoMo file: expected a list of samples.`);
  const bySample = new Map<string, LocomoObservation[]>();
  for (const [i, sample] of raw.entries()) {
    const s = (sample ?? {}) as { sample_id?: unknown; observation?: unknown };
    bySample.set(String(s.sample_id ?? `sample-${i}`), parseObservations(s.observation));
  }
  return bySample;
}

function parseObservations(block: unknown): LocomoObservation[] {
  if (block === null || typeof block !== 'object') return [];
  const sessions = Object.entries(block as Record<string, unknown>)
    .map(([key, value]) => ({ session: Number(/^session_(\d+)_observation$/.exec(key)?.[1]), value }))
    .filter((s) => Number.isInteger(s.session))
    .sort((a, b) => a.session - b.session);
  const out: LocomoObservation[] = [];
  for (const { session, value } of sessions) {
    for (const [speaker, facts] of Object.entries((value ?? {}) as Record<string, unknown>)) {
      if (!Array.isArray(facts)) continue;
      for (const fact of facts) {
        // [text, "D1:3"], and in a few places [text, ["D1:3", "D1:5"]] or [text, "D4:17, D4:19"].
        if (!Array.isArray(fact) || typeof fact[0] !== 'string') continue;
        const diaIds = normaliseEvidence([fact[1]].flat());
        out.push({ speaker, text: fact[0].trim(), diaIds, session });
      }
    }
  }
  return out;
}
