import type { EngramConfig } from '../../config/engram-config.js';

export type RedactionSettings = EngramConfig['safety']['redact'];
export type RedactionClass = keyof RedactionSettings;

/** A class of secret or personal data: its patterns, the check a match must pass, its placeholder. */
interface Redaction {
  name: RedactionClass;
  placeholder: string;
  patterns: RegExp[];
  accept?: (match: string) => boolean;
}

/**
 * Applied in this order (a provider key after "Bearer" is an api key when both classes are on;
 * card numbers before phone numbers, whose digit groups they would otherwise feed).
 */
export const REDACTIONS: readonly Redaction[] = [
  {
    name: 'apiKeys',
    placeholder: '[api_key]',
    patterns: [
      /\bsk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d{2}-)?[A-Za-z0-9_-]{20,}/g, // OpenAI, Anthropic
      /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g, // AWS access key ids
      /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, // GitHub tokens
      /\bgithub_pat_[A-Za-z0-9_]{22,}/g, // GitHub fine-grained tokens
      /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
      /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
      /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
      /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe
      /\bhf_[A-Za-z0-9]{30,}\b/g, // Hugging Face
      /\bgsk_[A-Za-z0-9]{40,}\b/g, // Groq
      /\bnpm_[A-Za-z0-9]{36}\b/g, // npm
    ],
  },
  {
    name: 'tokens',
    placeholder: '[token]',
    patterns: [
      /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT (header.payload.signature)
      /(?<=\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/gi, // the credential of a bearer header, "Bearer" kept
    ],
  },
  {
    name: 'cards',
    placeholder: '[card]',
    // 13 to 19 digits, in groups split by single spaces or dashes; kept only when the Luhn check passes.
    patterns: [/(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d-]|\.\d)/g],
    accept: (match) => {
      const digits = match.replace(/\D/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
    },
  },
  {
    name: 'emails',
    placeholder: '[email]',
    patterns: [/\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g],
  },
  {
    name: 'phones',
    placeholder: '[phone]',
    patterns: [
      // International: +country code, then groups (brackets allowed around the area code).
      /(?<![\w+])\+\d{1,3}(?:[\s.-]?\(\d{1,4}\))?(?:[\s.-]?\d{1,4}){2,6}(?!\w)/g,
      // North American: (555) 123-4567, 555-123-4567, 555.123.4567
      /(?<!\w)\(\d{3}\)\s?\d{3}[\s.-]\d{4}(?!\w)/g,
      /(?<![\w.-])\d{3}[.-]\d{3}[.-]\d{4}(?![\w-]|\.\d)/g,
      // National with a trunk 0: 030 1234567, 06 12 34 56 78, 020 7946 0958, 0171/1234567
      /(?<![\w.-])0\d{1,4}(?:[\s/-]\d{2,8}){1,4}(?![\w-]|\.\d)/g,
    ],
    accept: (match) => {
      const digits = match.replace(/\D/g, '').length;
      return digits >= 8 && digits <= 15;
    },
  },
];

/** The text with every enabled class replaced by its placeholder; unchanged when none is on. */
export function redactSecrets(text: string, settings: RedactionSettings): string {
  let out = text;
  for (const redaction of REDACTIONS) {
    if (!settings[redaction.name]) continue;
    for (const pattern of redaction.patterns) {
      out = out.replace(pattern, (match) =>
        redaction.accept && !redaction.accept(match) ? match : redaction.placeholder,
      );
    }
  }
  return out;
}

/** Whether any class is switched on (nothing to do otherwise). */
export function redactsAnything(settings: RedactionSettings): boolean {
  return Object.values(settings).some((on) => on === true);
}

/** The Luhn checksum of a card number's digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
