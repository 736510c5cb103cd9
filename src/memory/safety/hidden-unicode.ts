/**
 * Characters that change what a model reads without changing what a person sees: zero-width
 * characters, bidirectional embeddings / overrides / isolates, invisible operators and the Unicode
 * tag block (U+E0000–U+E007F, which spells ASCII invisibly). Kept where they carry meaning:
 * ZWJ inside an emoji sequence, ZWNJ/ZWJ between letters of a script that is not Latin (Persian,
 * Indic), and tag characters in a flag sequence (U+1F3F4 + tags + U+E007F, the regional flags).
 */
const CANDIDATES =
  /[\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u202A-\u202E\u2066-\u2069]|[\u{E0000}-\u{E007F}]+/gu;

const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F/u;
const JOINED_LETTER = /[\p{L}\p{M}]/u;
const LATIN = /\p{Script=Latin}/u;
const BLACK_FLAG = '\u{1F3F4}';
const CANCEL_TAG = '\u{E007F}';

export interface HiddenRun {
  index: number;
  text: string;
}

/** The hidden characters (a run of tag characters counts as one) that carry no meaning where they stand. */
export function findHiddenUnicode(text: string): HiddenRun[] {
  const found: HiddenRun[] = [];
  for (const match of text.matchAll(CANDIDATES)) {
    const index = match.index;
    if (!meaningful(text, index, match[0])) found.push({ index, text: match[0] });
  }
  return found;
}

/** The text without its hidden characters (those findHiddenUnicode reports). */
export function stripHiddenUnicode(text: string): string {
  const runs = findHiddenUnicode(text);
  if (runs.length === 0) return text;
  let out = '';
  let at = 0;
  for (const run of runs) {
    out += text.slice(at, run.index);
    at = run.index + run.text.length;
  }
  return out + text.slice(at);
}

/** What a run of tag characters spells (each maps to the ASCII character 0xE0000 below it). */
export function decodeTags(run: string): string {
  let out = '';
  for (const ch of run) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xe0020 && code <= 0xe007e) out += String.fromCodePoint(code - 0xe0000);
  }
  return out;
}

function meaningful(text: string, index: number, found: string): boolean {
  const first = found.codePointAt(0)!;
  if (first >= 0xe0000) {
    // A subdivision flag: black flag, a few tag letters/digits, cancel tag.
    const before = text.slice(Math.max(0, index - 2), index);
    return before === BLACK_FLAG && found.endsWith(CANCEL_TAG) && [...found].length <= 8;
  }
  if (first !== 0x200c && first !== 0x200d) return false;
  const before = charBefore(text, index);
  const after = charAfter(text, index + found.length);
  if (first === 0x200d && EMOJI.test(before) && EMOJI.test(after)) return true;
  return JOINED_LETTER.test(before) && JOINED_LETTER.test(after) && !LATIN.test(before) && !LATIN.test(after);
}

function charBefore(text: string, index: number): string {
  const cp = text.codePointAt(index - 2);
  if (cp !== undefined && cp > 0xffff) return String.fromCodePoint(cp);
  return text.charAt(index - 1);
}

function charAfter(text: string, index: number): string {
  const cp = text.codePointAt(index);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}
