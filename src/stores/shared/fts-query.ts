import { isStopword } from '../../util/stopwords.js';

/**
 * Turns free text into an FTS5 MATCH expression: each meaningful word quoted (so no user input
 * is read as FTS syntax) and OR-ed, letting bm25 weigh the rare words. Words too common to
 * discriminate are dropped; if nothing is left the original words are used.
 */
export function ftsTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  const cleaned = words.map((w) => w.replace(/['’].*$/u, '')).filter((w) => w.length > 0);
  const meaningful = cleaned.filter((w) => !isStopword(w));
  return [...new Set(meaningful.length > 0 ? meaningful : cleaned)];
}

export function ftsMatchExpression(
  text: string,
  keep: (term: string) => boolean = () => true,
): string | null {
  const all = ftsTerms(text);
  const kept = all.filter(keep);
  const terms = kept.length > 0 ? kept : all;
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ');
}
