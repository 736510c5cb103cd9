import { Hono } from 'hono';
import type { ObservedMessage } from '../../memory/observe/observe-messages.js';
import type { AppEnv } from '../app-env.js';
import type { Metrics } from '../metrics.js';
import { parseBody, parseQuery } from '../parse-input.js';
import { observeBodySchema, observeUsageQuerySchema } from '../schemas.js';

/**
 * Passive observation of a channel (docs/server.md, "Observing channels"): `POST /observe` logs
 * messages at once and answers what waits for the channel's next window (the worker runs it);
 * `GET /observe/{channel_id}/usage` is what the windows cost per day. Through ScopedMemory, which
 * refuses pinned keys: a window writes to every speaker's scope.
 */
export function observeRoutes(metrics: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/observe', async (c) => {
    const body = await parseBody(c, observeBodySchema);
    const messages: ObservedMessage[] = body.messages.map((m) => ({
      id: m.id,
      speakerId: m.speaker_id,
      speakerName: m.speaker_name,
      content: m.content,
      time: m.time,
      bot: m.bot,
      system: m.system,
    }));
    const result = await c.get('scoped').observe(messages, { channelId: body.channel_id });
    metrics.countObserved(result);
    return c.json(result);
  });

  app.get('/observe/:channel_id/usage', async (c) => {
    const { since } = parseQuery(c, observeUsageQuerySchema);
    return c.json(await c.get('scoped').observationUsage(c.req.param('channel_id'), { since }));
  });

  return app;
}
