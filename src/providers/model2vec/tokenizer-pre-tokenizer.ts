import { unsupported } from './tokenizer-errors.js';
import { arrayField, asSpec } from './tokenizer-normalizer.js';

/**
 * Splits normalized text into the words the model tokenizes one by one. `first` is true for the text before
 * any added token (Metaspace's "first" prepend scheme looks at it).
 */
export type PreTokenizer = (text: string, first: boolean) => string[];

const SUPPORTED = ['Sequence', 'Metaspace', 'BertPreTokenizer', 'WhitespaceSplit', 'Whitespace'];

export function buildPreTokenizer(config: unknown): PreTokenizer {
  if (config === null || config === undefined) return (text) => (text === '' ? [] : [text]);
  const spec = asSpec(config, 'pre-tokenizer');
  switch (spec.type) {
    case 'Sequence': {
      const steps = arrayField(spec, 'pretokenizers').map(buildPreTokenizer);
      return (text, first) =>
        steps.reduce<string[]>((words, step) => words.flatMap((word) => step(word, first)), [text]);
    }
    case 'Metaspace':
      return metaspace(spec);
    case 'BertPreTokenizer':
      return (text) => splitKeeping(text, isBertPunctuation);
    case 'WhitespaceSplit':
      return (text) => splitKeeping(text, () => false);
    case 'Whitespace':
      return (text) => text.match(/\w+|[^\w\s]+/gu) ?? [];
    default:
      throw unsupported('pre-tokenizer', spec.type, SUPPORTED);
  }
}

/**
 * Spaces become the replacement (▁), which is prepended as configured; with `split`, each ▁ starts a new word
 * (the crate's MergedWithNext). Older files say `add_prefix_space: true` instead of `prepend_scheme: "always"`.
 */
function metaspace(spec: Record<string, unknown>): PreTokenizer {
  const replacement = typeof spec.replacement === 'string' ? spec.replacement : '\u2581';
  const scheme =
    typeof spec.prepend_scheme === 'string'
      ? spec.prepend_scheme
      : spec.add_prefix_space === false
        ? 'never'
        : 'always';
  if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') {
    throw unsupported('pre-tokenizer', `Metaspace with prepend_scheme "${scheme}"`, SUPPORTED);
  }
  const split = spec.split !== false;
  return (text, first) => {
    if (text === '') return [];
    let replaced = text.split(' ').join(replacement);
    const prepend = scheme === 'always' || (scheme === 'first' && first);
    if (prepend && !replaced.startsWith(replacement)) replaced = replacement + replaced;
    if (!split) return [replaced];
    const words: string[] = [];
    let current = '';
    for (const char of replaced) {
      if (char === replacement && current !== '') {
        words.push(current);
        current = '';
      }
      current += char;
    }
    if (current !== '') words.push(current);
    return words;
  };
}

/** Splits on whitespace (dropped) and isolates every character `isolate` accepts. */
function splitKeeping(text: string, isolate: (char: string) => boolean): string[] {
  const words: string[] = [];
  let current = '';
  for (const char of text) {
    if (/\p{White_Space}/u.test(char)) {
      if (current !== '') words.push(current);
      current = '';
    } else if (isolate(char)) {
      if (current !== '') words.push(current);
      words.push(char);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') words.push(current);
  return words;
}

/** ASCII punctuation (which includes symbols such as $ and +) or any Unicode punctuation. */
function isBertPunctuation(char: string): boolean {
  return /[!-/:-@[-`{-~]/.test(char) || /\p{P}/u.test(char);
}
