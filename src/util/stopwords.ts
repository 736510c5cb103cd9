/** Words too common in English questions to tell memories apart. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her hers him his how i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to was we were what when where ' +
    'which who whom why will with would you your yours about any all am also just very too'
  ).split(' '),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}
