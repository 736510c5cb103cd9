/**
 * A deliberately small English suffix stripper, used only to tell whether a query word appears
 * in a memory ("lives" ~ "live", "hiking" ~ "hike"). Full-text ranking itself uses FTS5's porter.
 */
export function lightStem(word: string): string {
  const w = word.toLowerCase();
  if (w.length <= 3) return w;
  for (const suffix of [
    'ingly',
    'edly',
    'ings',
    'ing',
    'ies',
    'ied',
    'ers',
    'est',
    'ed',
    'es',
    'er',
    'ly',
    's',
    'e',
  ]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) return w.slice(0, -suffix.length);
  }
  return w;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
