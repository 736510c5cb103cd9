import { z } from 'zod';
import type { ProviderHealth } from '../../spec/embedder.js';
import { MemoryError } from '../../spec/memory-error.js';
import { baseUrlText, parseBaseUrl } from '../../util/base-url.js';
import { getJson, postJson } from '../../util/http-json.js';
import type { HttpTarget } from '../../util/http-target.js';
import { type ModelSettings, type ProviderDeps, readEnv } from '../provider-deps.js';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
const API_KEY_ENV = 'ANTHROPIC_API_KEY';
const BASE_URL_ENV = 'ANTHROPIC_BASE_URL';

export interface AnthropicConnection {
  id: string;
  /** Origin (plus any proxy prefix) without `/v1`; paths are appended as `${baseUrl}/v1/...`. */
  baseUrl: string;
  target: HttpTarget;
}

/**
 * Resolves where and how to call the Messages API. A trailing `/v1` on the base URL is dropped, because the
 * SDKs take the origin while people often paste the versioned root they see in the docs.
 */
export function anthropicConnection(
  settings: ModelSettings,
  deps: ProviderDeps,
  defaultTimeoutMs: number,
): AnthropicConnection {
  const raw = settings.baseUrl ?? readEnv(deps, BASE_URL_ENV) ?? ANTHROPIC_DEFAULT_BASE_URL;
  const url = parseBaseUrl(raw, 'Anthropic base URL');
  url.pathname = url.pathname.replace(/\/v1$/, '');
  const baseUrl = baseUrlText(url);

  const apiKey = settings.apiKey ?? readEnv(deps, API_KEY_ENV);
  if (apiKey === undefined) {
    throw new MemoryError(
      'invalid_config',
      `Anthropic API key is missing. Pass it as \`apiKey\` or set ${API_KEY_ENV}.`,
      { details: { envVar: API_KEY_ENV } },
    );
  }

  const target: HttpTarget = {
    service: 'Anthropic',
    baseUrl,
    unreachableHint: `Check that it is reachable from here, or set \`baseUrl\` or ${BASE_URL_ENV}.`,
    codes: { unreachable: 'llm_unreachable', error: 'llm_error' },
    fetch: deps.fetch,
    headers: { 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION, ...settings.headers },
    timeoutMs: settings.timeoutMs ?? defaultTimeoutMs,
    describeHttpError: ({ status, upstreamMessage }) => {
      const upstream = upstreamMessage === undefined ? '' : ` (${upstreamMessage})`;
      if (status === 401 || status === 403) {
        return `Anthropic rejected the API key${upstream}. Check \`apiKey\` or ${API_KEY_ENV}.`;
      }
      if (status === 404 && upstreamMessage !== undefined && /model/i.test(upstreamMessage)) {
        return `Model ${settings.model} is not available at ${baseUrl}${upstream}. Check the model name.`;
      }
      return undefined;
    },
  };
  return { id: `anthropic:${settings.model}`, baseUrl, target };
}

const modelSchema = z.object({ id: z.string() });
const countTokensSchema = z.object({ input_tokens: z.number() });

/**
 * `GET /v1/models/{model}` (which also resolves aliases). Servers without that endpoint (some proxies) answer
 * 404 there, so a 404 is double-checked with the free `POST /v1/messages/count_tokens`, which needs a working
 * key and a known model. Never throws.
 */
export async function checkAnthropicModel(
  connection: AnthropicConnection,
  model: string,
): Promise<ProviderHealth> {
  const { baseUrl, target } = connection;
  try {
    const found = await getJson(target, `${baseUrl}/v1/models/${encodeURIComponent(model)}`, modelSchema);
    const resolved = found.id === model ? '' : ` (as ${found.id})`;
    return {
      ok: true,
      detail: `Anthropic at ${baseUrl} accepted the API key and serves ${model}${resolved}.`,
    };
  } catch (error) {
    if (!MemoryError.is(error, 'llm_error') || error.statusCode !== 404) return failed(error);
  }
  try {
    const body = { model, messages: [{ role: 'user', content: 'ping' }] };
    await postJson(target, `${baseUrl}/v1/messages/count_tokens`, body, countTokensSchema);
    return {
      ok: true,
      detail: `Anthropic at ${baseUrl} accepted the API key and knows ${model} (checked by counting tokens; it does not look models up).`,
    };
  } catch (error) {
    return failed(error);
  }
}

function failed(error: unknown): ProviderHealth {
  return { ok: false, detail: error instanceof Error ? error.message : String(error) };
}
