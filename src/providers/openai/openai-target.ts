import { z } from 'zod';
import type { ProviderHealth } from '../../spec/embedder.js';
import { type ErrorCode, MemoryError } from '../../spec/memory-error.js';
import { baseUrlText, parseBaseUrl } from '../../util/base-url.js';
import { getJson } from '../../util/http-json.js';
import type { HttpTarget } from '../../util/http-target.js';
import { type ModelSettings, type ProviderDeps, readEnv } from '../provider-deps.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** How one OpenAI-compatible service differs from OpenAI itself; the registry's presets fill it in. */
export interface OpenAICompatibleOptions {
  /** Registry name, the prefix of the adapter id ("groq:llama-3.1-8b-instant"). Default "openai". */
  name?: string | undefined;
  /** Shown in messages. Default "OpenAI". */
  label?: string | undefined;
  defaultBaseUrl?: string | undefined;
  /** Looked up when settings.apiKey is absent. Default OPENAI_API_KEY. */
  apiKeyEnvVar?: string | undefined;
  /** Looked up when settings.baseUrl is absent. Default OPENAI_BASE_URL. */
  baseUrlEnvVar?: string | undefined;
  /** Default: only api.openai.com requires a key; local servers (vLLM, LM Studio) usually have none. */
  requireApiKey?: boolean | undefined;
}

export interface OpenAIConnection {
  id: string;
  label: string;
  baseUrl: string;
  /** api.openai.com itself, where newer parameter names are required. */
  isOpenAI: boolean;
  target: HttpTarget;
}

/**
 * Resolves where and how to call an OpenAI-compatible API.
 *
 * Base URL rule: a bare origin ("http://localhost:8000") gets `/v1` appended, because every compatible server
 * we know serves there; a URL with any path ("https://api.groq.com/openai/v1", a proxy prefix) is used as
 * given. So both "https://api.openai.com" and "https://api.openai.com/v1" work.
 */
export function openAIConnection(
  settings: ModelSettings,
  deps: ProviderDeps,
  compat: OpenAICompatibleOptions,
  codes: { unreachable: ErrorCode; error: ErrorCode },
  defaultTimeoutMs: number,
): OpenAIConnection {
  const name = compat.name ?? 'openai';
  const label = compat.label ?? 'OpenAI';
  const baseUrlEnvVar = compat.baseUrlEnvVar ?? (name === 'openai' ? 'OPENAI_BASE_URL' : undefined);
  const apiKeyEnvVar = compat.apiKeyEnvVar ?? (name === 'openai' ? 'OPENAI_API_KEY' : undefined);

  const rawBaseUrl =
    settings.baseUrl ?? readEnv(deps, baseUrlEnvVar) ?? compat.defaultBaseUrl ?? OPENAI_DEFAULT_BASE_URL;
  const url = parseBaseUrl(rawBaseUrl, `${label} base URL`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  const baseUrl = baseUrlText(url);
  const isOpenAI = url.hostname === 'api.openai.com';

  const apiKey = settings.apiKey ?? readEnv(deps, apiKeyEnvVar);
  if (apiKey === undefined && (compat.requireApiKey ?? isOpenAI)) {
    const env = apiKeyEnvVar === undefined ? '' : ` or set ${apiKeyEnvVar}`;
    throw new MemoryError('invalid_config', `${label} API key is missing. Pass it as \`apiKey\`${env}.`);
  }
  const keyHint = apiKeyEnvVar === undefined ? '`apiKey`' : `\`apiKey\` or ${apiKeyEnvVar}`;

  const target: HttpTarget = {
    service: label,
    baseUrl,
    unreachableHint: `Check that ${label} is running and reachable there, or set \`baseUrl\`${
      baseUrlEnvVar === undefined ? '' : ` or ${baseUrlEnvVar}`
    }.`,
    codes,
    fetch: deps.fetch,
    headers: { ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }), ...settings.headers },
    timeoutMs: settings.timeoutMs ?? defaultTimeoutMs,
    describeHttpError: ({ status, upstreamMessage }) => {
      const upstream = upstreamMessage === undefined ? '' : ` (${upstreamMessage})`;
      if (status === 401) return `${label} rejected the API key${upstream}. Check ${keyHint}.`;
      if (status === 404 && upstreamMessage !== undefined && /model/i.test(upstreamMessage)) {
        return `Model ${settings.model} is not available at ${baseUrl}${upstream}. Check the model name.`;
      }
      return undefined;
    },
  };
  return { id: `${name}:${settings.model}`, label, baseUrl, isOpenAI, target };
}

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/** GET /models: reachable, key accepted, and the model listed (when the server lists any). Never throws. */
export async function checkOpenAIModel(connection: OpenAIConnection, model: string): Promise<ProviderHealth> {
  const { label, baseUrl, target } = connection;
  try {
    const models = await getJson(target, `${baseUrl}/models`, modelsSchema);
    if (models.data.length > 0 && !models.data.some((entry) => entry.id === model)) {
      return { ok: false, detail: `${label} at ${baseUrl} is up, but does not list model ${model}.` };
    }
    return { ok: true, detail: `${label} at ${baseUrl} is up and serves ${model}.` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
