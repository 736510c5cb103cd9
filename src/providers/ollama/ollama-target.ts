import { z } from 'zod';
import type { ProviderHealth } from '../../spec/embedder.js';
import type { ErrorCode } from '../../spec/memory-error.js';
import { baseUrlText, parseBaseUrl } from '../../util/base-url.js';
import { getJson } from '../../util/http-json.js';
import type { HttpTarget } from '../../util/http-target.js';
import { type ModelSettings, type ProviderDeps, readEnv } from '../provider-deps.js';

export const OLLAMA_DEFAULT_BASE_URL = 'http://localhost:11434';

/**
 * Base URL: settings, then OLLAMA_BASE_URL, then localhost. A trailing `/api` is dropped because people paste
 * the API root they see in Ollama's docs.
 */
export function ollamaBaseUrl(settings: ModelSettings, deps: ProviderDeps): string {
  const raw = settings.baseUrl ?? readEnv(deps, 'OLLAMA_BASE_URL') ?? OLLAMA_DEFAULT_BASE_URL;
  const url = parseBaseUrl(raw, 'Ollama base URL');
  url.pathname = url.pathname.replace(/\/api$/, '');
  return baseUrlText(url);
}

export function ollamaTarget(
  baseUrl: string,
  model: string,
  settings: ModelSettings,
  deps: ProviderDeps,
  codes: { unreachable: ErrorCode; error: ErrorCode },
  defaultTimeoutMs: number,
): HttpTarget {
  return {
    service: 'Ollama',
    baseUrl,
    unreachableHint: 'Start it with `ollama serve` or set OLLAMA_BASE_URL.',
    codes,
    fetch: deps.fetch,
    headers: settings.headers,
    timeoutMs: settings.timeoutMs ?? defaultTimeoutMs,
    describeHttpError: ({ status, upstreamMessage }) =>
      status === 404 && upstreamMessage !== undefined && /model .*not found/i.test(upstreamMessage)
        ? notPulledMessage(model)
        : undefined,
  };
}

function notPulledMessage(model: string): string {
  return `Model ${model} is not pulled in Ollama: run \`ollama pull ${model}\`.`;
}

const tagsSchema = z.object({
  models: z.array(z.object({ name: z.string(), model: z.string().optional() })),
});

/** GET /api/tags and look for the model; never throws. */
export async function checkOllamaModel(target: HttpTarget, model: string): Promise<ProviderHealth> {
  try {
    const tags = await getJson(target, `${target.baseUrl}/api/tags`, tagsSchema);
    const wanted = withTag(model);
    const listed = tags.models.some(
      (entry) => withTag(entry.name) === wanted || withTag(entry.model ?? '') === wanted,
    );
    return listed
      ? { ok: true, detail: `Ollama at ${target.baseUrl} is up and has ${model}.` }
      : {
          ok: false,
          detail: `Ollama at ${target.baseUrl} is up, but ${model} is not pulled: run \`ollama pull ${model}\`.`,
        };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Ollama lists `llama3.2:latest` for a model pulled as `llama3.2`. */
function withTag(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}
