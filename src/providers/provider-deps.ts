import type { FetchLike, ProviderSettings } from '../spec/provider-settings.js';

/** What an adapter needs from its surroundings; injected so tests and hosts control I/O and environment. */
export interface ProviderDeps {
  /** Defaults to the global fetch. */
  fetch?: FetchLike | undefined;
  /** Where API keys and base URLs are looked up when settings omit them. Defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Backoff between retries; tests shorten it. */
  retry?: { baseDelayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
}

/** Settings for one adapter class; `provider` is the registry's business. */
export type ModelSettings = Omit<ProviderSettings, 'provider'>;

/** A set, non-blank environment value. */
export function readEnv(deps: ProviderDeps, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = (deps.env ?? process.env)[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
