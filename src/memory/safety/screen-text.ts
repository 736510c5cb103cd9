import { detectInstructions, type InstructionClass } from './detect-instructions.js';
import { stripHiddenUnicode } from './hidden-unicode.js';
import { redactSecrets } from './redact-secrets.js';
import type { SafetyConfig } from './safety-mark.js';

export interface ScreenedText {
  /** What may be stored and sent on: hidden characters removed (unless `off`), secrets redacted. */
  text: string;
  /** The instruction classes found in the text as given (empty with `instructions: off`). */
  flags: InstructionClass[];
}

/**
 * One text on its way in. Detection reads the text as given (hidden characters and addresses
 * included); hidden characters go before redaction, so they cannot split a key to hide it.
 */
export function screenText(text: string, safety: SafetyConfig): ScreenedText {
  if (safety.instructions === 'off') return { text: redactSecrets(text, safety.redact), flags: [] };
  return { text: redactSecrets(stripHiddenUnicode(text), safety.redact), flags: detectInstructions(text) };
}
