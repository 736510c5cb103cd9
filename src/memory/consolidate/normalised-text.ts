/**
 * The text two memories must share to be one fact without any model: Unicode-compatible forms
 * folded (NFKC), case folded, every run of punctuation and spaces made one space. "Likes tea."
 * and "likes  tea" are equal; "likes tea" and "likes teas" are not (that is the vectors' job).
 */
export function normalisedText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
