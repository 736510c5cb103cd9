import { unsupported } from './tokenizer-errors.js';

/** One step of a Hugging Face tokenizers normalizer pipeline, as text → text. */
export type Normalizer = (text: string) => string;

const SUPPORTED = [
  'Sequence',
  'BertNormalizer',
  'Lowercase',
  'StripAccents',
  'Strip',
  'Replace',
  'Prepend',
  'NFC',
  'NFD',
  'NFKC',
  'NFKD',
];

/**
 * Builds the normalizer tokenizer.json configures, mirroring the Rust `tokenizers` crate step by step.
 * Types we do not implement (Precompiled, ByteLevel, ...) fail loudly instead of tokenizing differently.
 */
export function buildNormalizer(config: unknown): Normalizer {
  if (config === null || config === undefined) return (text) => text;
  const spec = asSpec(config, 'normalizer');
  switch (spec.type) {
    case 'Sequence': {
      const steps = arrayField(spec, 'normalizers').map(buildNormalizer);
      return (text) => steps.reduce((current, step) => step(current), text);
    }
    case 'BertNormalizer':
      return bertNormalizer(spec);
    case 'Lowercase':
      return lowercase;
    case 'StripAccents':
      return stripMarks;
    case 'Strip': {
      const left = spec.strip_left !== false;
      const right = spec.strip_right !== false;
      return (text) => {
        const start = left ? text.replace(/^\p{White_Space}+/u, '') : text;
        return right ? start.replace(/\p{White_Space}+$/u, '') : start;
      };
    }
    case 'Replace':
      return replaceNormalizer(spec);
    case 'Prepend': {
      const prefix = String(spec.prepend ?? '');
      return (text) => (text === '' ? text : prefix + text);
    }
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = spec.type;
      return (text) => text.normalize(form);
    }
    default:
      throw unsupported('normalizer', spec.type, SUPPORTED);
  }
}

/** clean_text → handle_chinese_chars → strip_accents → lowercase, in the crate's order. */
function bertNormalizer(spec: Spec): Normalizer {
  const cleanText = spec.clean_text !== false;
  const chineseChars = spec.handle_chinese_chars !== false;
  const lower = spec.lowercase !== false;
  // null means "follow lowercase", as in BERT's original code.
  const stripAccents = typeof spec.strip_accents === 'boolean' ? spec.strip_accents : lower;
  return (text) => {
    let out = text;
    if (cleanText) out = cleanControlAndWhitespace(out);
    if (chineseChars) out = out.replace(CJK, ' $& ');
    if (stripAccents) out = stripMarks(out);
    if (lower) out = lowercase(out);
    return out;
  };
}

const CJK =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;

/** Drops NUL, U+FFFD and control/format/unassigned characters; turns every kind of whitespace into a space. */
function cleanControlAndWhitespace(text: string): string {
  let out = '';
  for (const char of text) {
    if (char === '\t' || char === '\n' || char === '\r' || /\p{White_Space}/u.test(char)) out += ' ';
    else if (char === '\0' || char === '\uFFFD' || /\p{C}/u.test(char)) continue;
    else out += char;
  }
  return out;
}

/** NFD, then drop nonspacing marks (the accents). */
function stripMarks(text: string): string {
  return text.normalize('NFD').replace(/\p{Mn}/gu, '');
}

/** Per character, like Rust's char::to_lowercase (JS's string-level rule would turn a final Σ into ς). */
function lowercase(text: string): string {
  let out = '';
  for (const char of text) out += char.toLowerCase();
  return out;
}

function replaceNormalizer(spec: Spec): Normalizer {
  const content = String(spec.content ?? '');
  const pattern = spec.pattern;
  if (isRecord(pattern) && typeof pattern.String === 'string') {
    const literal = pattern.String;
    return (text) => (literal === '' ? text : text.split(literal).join(content));
  }
  if (isRecord(pattern) && typeof pattern.Regex === 'string') {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern.Regex, 'gu');
    } catch (cause) {
      throw unsupported('normalizer', `Replace with regex ${pattern.Regex}`, SUPPORTED, cause);
    }
    return (text) => text.replace(regex, () => content);
  }
  throw unsupported('normalizer', 'Replace without a String or Regex pattern', SUPPORTED);
}

export type Spec = Record<string, unknown> & { type: string };

export function asSpec(config: unknown, kind: string): Spec {
  if (!isRecord(config) || typeof config.type !== 'string') {
    throw unsupported(kind, JSON.stringify(config)?.slice(0, 80) ?? String(config), []);
  }
  return config as Spec;
}

export function arrayField(spec: Spec, field: string): unknown[] {
  const value = spec[field];
  return Array.isArray(value) ? value : [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
