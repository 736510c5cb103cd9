import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EngramClient, EngramClientError } from '../../src/client/engram-client.js';

const PROXY_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';

/** A real HTTP server on a free port that answers every request with `status`, `type` and `body`. */
async function answering(
  status: number,
  type: string,
  body: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('EngramClient on answers that are not engram\u2019s JSON', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('a proxy\u2019s HTML 502 is an EngramClientError with the status and the body (before: SyntaxError)', async () => {
    const started = await answering(502, 'text/html; charset=utf-8', PROXY_PAGE);
    server = started.server;
    const error = await new EngramClient({ baseUrl: started.url, apiKey: 'k' })
      .search('tea', { user_id: 'u' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngramClientError);
    expect(error).toMatchObject({ status: 502, code: 'http_502', details: null, body: PROXY_PAGE });
    expect((error as Error).message).toMatch(
      /answered POST \/search with HTTP 502 Bad Gateway, text\/html: <html>/,
    );
  });

  it('a 2xx body that is not JSON is invalid_response, not a SyntaxError', async () => {
    const started = await answering(200, 'text/plain', 'hello');
    server = started.server;
    const error = await new EngramClient({ baseUrl: started.url }).get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngramClientError);
    expect(error).toMatchObject({ status: 200, code: 'invalid_response', body: 'hello' });
  });

  it('engram\u2019s own error body still comes through as code, message and details', async () => {
    const body = { error: { code: 'not_found', message: 'No memory with id x.', details: { id: 'x' } } };
    const started = await answering(404, 'application/json', JSON.stringify(body));
    server = started.server;
    const error = await new EngramClient({ baseUrl: started.url }).get('x').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, ...body.error });
  });
});
