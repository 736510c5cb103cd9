import { MemoryError } from '../../spec/memory-error.js';

export type ChromaModule = typeof import('chromadb');

/**
 * The optional `chromadb` package, loaded when first needed; `purpose` says what needs it ("The
 * Chroma index", "Reading a Chroma collection") in the error a missing or broken install gives.
 */
export async function loadChroma(
  purpose: string,
  importClient?: () => Promise<ChromaModule>,
): Promise<ChromaModule> {
  try {
    return await (importClient ?? (() => import('chromadb')))();
  } catch (cause) {
    const missing = (cause as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND';
    throw new MemoryError(
      'invalid_config',
      missing
        ? `${purpose} needs the optional package chromadb: install it with \`npm install chromadb\`.`
        : `Could not load chromadb (${cause instanceof Error ? cause.message : String(cause)}); reinstall it with \`npm install chromadb\`.`,
      { cause },
    );
  }
}
