import { decodeTags, findHiddenUnicode, stripHiddenUnicode } from './hidden-unicode.js';
import {
  DIRECTIVE_WORDS,
  EXFILTRATION_PATTERNS,
  OVERRIDE_LEXICONS,
  OVERRIDE_PATTERNS,
  type OverrideLexicon,
  REPORTED_SPEECH,
  ROLE_LABEL_LINE,
  ROLE_LABELS_OF_MODEL,
  ROLE_TOKEN_PATTERNS,
  SQUASHED_PHRASES,
  TOOL_CALL_PATTERNS,
} from './instruction-patterns.js';

/** What kind of instruction-like text was found (docs: security, memory poisoning). */
export type InstructionClass = 'override' | 'role-marker' | 'tool-call' | 'exfiltration' | 'hidden-unicode';

/** The detector's version, stored with every flag so a later detector can tell its own from older ones. */
export const DETECTOR_VERSION = 1;

/**
 * The classes of instruction-like text in `text`, sorted, empty when none. Deterministic and
 * local: patterns over several views of the text (as written; hidden characters removed and
 * look-alike letters and digits mapped; letters only; base64 runs and tag characters decoded),
 * so spacing, homoglyphs, leetspeak and encodings do not hide a known phrase.
 */
export function detectInstructions(text: string): InstructionClass[] {
  const found = new Set<InstructionClass>();
  const hidden = findHiddenUnicode(text);
  if (hidden.length > 0) found.add('hidden-unicode');
  const views = [
    stripHiddenUnicode(text),
    ...hidden.map((h) => decodeTags(h.text)).filter((t) => t.length > 0),
  ];
  for (const view of views) scan(view, found, true);
  return [...found].sort();
}

function scan(raw: string, found: Set<InstructionClass>, decodeBase64: boolean): void {
  const plain = normalise(raw);
  const latin = latinLookalikes(plain);
  for (const view of plain === latin ? [plain] : [plain, latin]) {
    if (
      OVERRIDE_LEXICONS.some((lex) => overrideIn(view, lex)) ||
      OVERRIDE_PATTERNS.some((p) => p.test(view))
    ) {
      found.add('override');
    }
    if (ROLE_TOKEN_PATTERNS.some((p) => p.test(view)) || roleLines(view)) found.add('role-marker');
    if (TOOL_CALL_PATTERNS.some((p) => p.test(view))) found.add('tool-call');
    if (EXFILTRATION_PATTERNS.some((p) => p.test(view))) found.add('exfiltration');
  }
  const squashed = latin.replace(/[^a-z]/g, '');
  for (const { phrase, kind } of SQUASHED_PHRASES) if (squashed.includes(phrase)) found.add(kind);
  if (decodeBase64) {
    for (const decoded of base64Runs(raw)) scan(decoded, found, false);
  }
}

/** NFKC (full-width and styled letters), lower case, soft hyphens and curly apostrophes evened out. */
function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\u00AD/g, '')
    .replace(/[\u2018\u2019\u02BC]/g, "'");
}

const LOOKALIKE: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  ո: 'n',
  α: 'a',
  ε: 'e',
  ι: 'i',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  κ: 'k',
  τ: 't',
};
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

/**
 * Words that mix Latin letters with look-alikes of other scripts (Cyrillic "о" in "ignоre") or
 * with digits and symbols standing for letters ("1gn0re") spelt in Latin letters only. Words of
 * one script are left alone, so Russian text stays Russian.
 */
function latinLookalikes(text: string): string {
  return text.replace(/[\p{L}\p{N}@$]+/gu, (word) => {
    if (!/[a-z]/.test(word)) return word;
    let out = '';
    for (const ch of word) out += LOOKALIKE[ch] ?? LEET[ch] ?? ch;
    return out;
  });
}

/** A verb and a noun of the lexicon close together, with a qualifier near them, and not reported speech. */
function overrideIn(text: string, lex: OverrideLexicon): boolean {
  const verbs = positions(text, lex.verbs, lex);
  if (verbs.length === 0) return false;
  const nouns = positions(text, lex.nouns, lex);
  for (const v of verbs) {
    for (const n of nouns) {
      const start = Math.min(v.start, n.start);
      const end = Math.max(v.end, n.end);
      if (end - start > (lex.cjk ? 24 : 70)) continue;
      // Qualifiers stand before the noun in SOV languages ("önceki tüm talimatları görmezden gel").
      const window = text.slice(
        Math.max(0, start - (lex.cjk ? 8 : 30)),
        Math.min(text.length, end + (lex.cjk ? 8 : 24)),
      );
      if (!lex.qualifiers.some((q) => window.includes(q))) continue;
      if (lex.lang === 'en' && REPORTED_SPEECH.test(text.slice(Math.max(0, v.start - 60), v.start))) continue;
      return true;
    }
  }
  return false;
}

function positions(text: string, words: string[], lex: OverrideLexicon): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const word of words) {
    let from = 0;
    for (;;) {
      const i = text.indexOf(word, from);
      if (i < 0) break;
      from = i + 1;
      if (!lex.cjk && !bounded(text, i, i + word.length, lex.stem === true)) continue;
      out.push({ start: i, end: i + word.length });
    }
  }
  return out;
}

const LETTER = /[\p{L}\p{M}]/u;

function bounded(text: string, start: number, end: number, stem: boolean): boolean {
  if (start > 0 && LETTER.test(text.charAt(start - 1))) return false;
  return stem || end >= text.length || !LETTER.test(text.charAt(end));
}

/**
 * A transcript written into the text: two speaker-label lines including a model role, or a
 * system/assistant/developer/tool line that addresses the model.
 */
function roleLines(text: string): boolean {
  const labels: string[] = [];
  for (const line of text.split('\n')) {
    const match = ROLE_LABEL_LINE.exec(line);
    if (!match) continue;
    const role = match[1]!;
    labels.push(role);
    if (ROLE_LABELS_OF_MODEL.has(role) && DIRECTIVE_WORDS.test(match[2] ?? '')) return true;
  }
  return labels.length >= 2 && labels.some((l) => ROLE_LABELS_OF_MODEL.has(l));
}

/** Base64 runs that decode to readable text (binary keys and hashes decode to noise and are skipped). */
function base64Runs(text: string): string[] {
  const out: string[] = [];
  for (const [run] of text.matchAll(/[A-Za-z0-9+/]{20,}={0,2}/g)) {
    const decoded = Buffer.from(run, 'base64').toString('utf8');
    const readable = decoded.replace(/[^\x20-\x7E\n]/g, '').length;
    if (decoded.length >= 12 && readable / decoded.length > 0.95) out.push(decoded);
  }
  return out;
}
