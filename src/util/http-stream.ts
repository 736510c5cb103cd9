import { abortable } from './abortable.js';
import { badResponseError, httpStatusError, requestFailure } from './http-errors.js';
import type { HttpRequestOptions, HttpTarget } from './http-target.js';

/**
 * POSTs `body` as JSON and yields the response body line by line (NDJSON, SSE), without line terminators.
 * `target.timeoutMs` bounds each wait on the server, not the whole stream: a long answer that keeps
 * flowing is fine, a server that goes silent is reported as unreachable.
 */
export async function* postStreamLines(
  target: HttpTarget,
  url: string,
  body: unknown,
  options: HttpRequestOptions = {},
): AsyncGenerator<string> {
  const fetchFn = target.fetch ?? globalThis.fetch;
  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([idle.signal, options.signal]) : idle.signal;
  // Armed only while we wait on the server, so a slow consumer of the lines is not mistaken for a silent server.
  const waitOnServer = async <T>(promise: Promise<T>): Promise<T> => {
    const timer = setTimeout(
      () => idle.abort(new DOMException('stream idle', 'TimeoutError')),
      target.timeoutMs,
    );
    try {
      return await abortable(promise, signal);
    } finally {
      clearTimeout(timer);
    }
  };

  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const response = await waitOnServer(
      fetchFn(url, {
        method: 'POST',
        headers: {
          accept: 'application/x-ndjson, text/event-stream',
          'content-type': 'application/json',
          ...target.headers,
        },
        body: JSON.stringify(body),
        signal,
      }),
    );
    if (!response.ok) throw await httpStatusError(target, 'POST', url, response);
    if (response.body === null) throw badResponseError(target, url, '', 'the response has no body');
    reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await waitOnServer(reader.read());
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        yield stripCarriageReturn(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    }
    buffer += decoder.decode();
    if (buffer.length > 0) yield stripCarriageReturn(buffer);
  } catch (error) {
    throw requestFailure(error, target, 'POST', url, idle.signal.aborted, options.signal);
  } finally {
    // Frees the connection when the consumer stops early; after a normal end it is a no-op.
    await reader?.cancel().catch(() => undefined);
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
