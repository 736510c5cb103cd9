import { Hono } from 'hono';
import { z } from 'zod';
import { scopedExport, scopedImport } from '../../memory/access/scoped-transfer.js';
import type { AppEnv } from '../app-env.js';
import { parseQuery } from '../parse-input.js';

const exportQuerySchema = z.strictObject({
  user_id: z.string().min(1).optional(),
  agent_id: z.string().min(1).optional(),
  run_id: z.string().min(1).optional(),
  with_vectors: z.enum(['true', 'false'], { error: 'expected true or false' }).optional(),
});

/**
 * `GET /export` streams a scope (or, for an admin, the tenant) as the JSON Lines file of
 * `engram export` (docs/export-import.md); `POST /import` takes such a file as the body (admin;
 * checked whole first, so a malformed or truncated file is a 400 naming its line and nothing is
 * written; idempotent). The rules are the principal's (memory/access/scoped-transfer.ts).
 */
export function transferRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/export', async (c) => {
    const { with_vectors: withVectors, ...scope } = parseQuery(c, exportQuerySchema);
    const scoped = c.get('scoped');
    const encoder = new TextEncoder();
    // Lines wait here until the client reads them: the export pauses instead of buffering the file.
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let pulled: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          controller = c;
        },
        pull: () => {
          pulled?.();
          pulled = undefined;
        },
        cancel: () => {
          pulled?.();
        },
      },
      { highWaterMark: 64 },
    );
    let started!: () => void;
    const headerWritten = new Promise<void>((resolve) => {
      started = resolve;
    });
    const write = async (line: string) => {
      controller.enqueue(encoder.encode(`${line}\n`));
      started();
      if ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => (pulled = resolve));
    };
    const done = scopedExport(scoped, { ...scope, withVectors: withVectors === 'true' }, write).then(
      () => controller.close(),
      (error: unknown) => {
        // Before the header: an ordinary error response (below). After it: the stream fails, and
        // the client sees a file whose counts do not match (import refuses it).
        controller.error(error);
        throw error;
      },
    );
    // A refusal (admin_required, scope_forbidden, ...) comes before the first line.
    await Promise.race([headerWritten, done]);
    done.catch(() => undefined);
    return new Response(body, {
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': 'attachment; filename="engram-export.jsonl"',
      },
    });
  });

  app.post('/import', async (c) => {
    const report = await scopedImport(c.get('scoped'), await c.req.text());
    return c.json(report);
  });

  return app;
}
