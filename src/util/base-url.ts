import { MemoryError } from '../spec/memory-error.js';

/**
 * Parses a configured base URL. A missing scheme means http (people write `localhost:11434`, as OLLAMA_HOST
 * allows); trailing slashes are dropped so paths can be appended with `${base}/path`.
 */
export function parseBaseUrl(raw: string, settingName: string): URL {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new MemoryError(
      'invalid_config',
      `${settingName} "${raw}" is not a valid URL, e.g. http://localhost:11434.`,
      {
        cause,
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MemoryError('invalid_config', `${settingName} "${raw}" must be an http:// or https:// URL.`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

/** The URL as text without a trailing slash, ready for `${base}/path`. */
export function baseUrlText(url: URL): string {
  return url.href.replace(/\/+$/, '');
}
