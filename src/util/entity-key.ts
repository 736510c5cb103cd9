/**
 * The form of an entity name used for matching: lower case, diacritics and punctuation removed,
 * whitespace collapsed, a leading article dropped. "The Acme Co." and "acme co" share a key;
 * "Zoë" and "Zoe" too. Never empty for a name with a letter or digit.
 */
export function entityKey(name: string): string {
  const plain = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return plain.replace(/^(the|a|an) (?=\S)/, '');
}
