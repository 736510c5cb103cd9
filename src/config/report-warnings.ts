/** Warnings already emitted by this process, so a program that opens many Memories hears each once. */
const emitted = new Set<string>();

/**
 * Hands the configuration's warnings (parts of a mem0 config engram does not use, dimensions that
 * disagree, ...) to `onWarning` (the CLI prints them), else emits each once per process as a Node
 * warning (code ENGRAM_CONFIG), which Node prints to stderr unless the program listens for it.
 */
export function reportConfigWarnings(
  warnings: readonly string[],
  onWarning?: (warning: string) => void,
): void {
  for (const warning of warnings) {
    if (onWarning) {
      onWarning(warning);
      continue;
    }
    if (emitted.has(warning)) continue;
    emitted.add(warning);
    process.emitWarning(`engram config: ${warning}`, { code: 'ENGRAM_CONFIG' });
  }
}
