import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/create-app.js';
import { Metrics } from '../../src/server/metrics.js';
import { serve } from '../../src/server/serve.js';
import { type ServerFixture, serverFixture } from './server-fixture.js';

/** Texts embedded as /metrics counts them (0 when the series is absent). */
const embeddedTexts = (metrics: Metrics) =>
  Number(/engram_embedding_texts_total\{[^}]*\} (\d+)/.exec(metrics.render(null))?.[1] ?? 0);

describe('an app stops observing the engine when it is disposed', () => {
  let f: ServerFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('dispose() removes the metrics observer that createApp added (before: one more per app, forever)', async () => {
    f = await serverFixture();
    const kept = new Metrics();
    const dropped = new Metrics();
    createApp({ memory: f.memory, metrics: kept });
    const app = createApp({ memory: f.memory, metrics: dropped });
    app.dispose();
    app.dispose(); // idempotent
    await f.memory.add('I play the cello', { userId: 'u', infer: false });
    expect(embeddedTexts(kept)).toBe(1);
    expect(embeddedTexts(dropped)).toBe(0);
  });

  it('a served app is disposed when the server closes', async () => {
    f = await serverFixture();
    const metrics = new Metrics();
    const running = await serve({ memory: f.memory, metrics, port: 0 });
    await f.memory.add('I play the cello', { userId: 'u', infer: false });
    expect(embeddedTexts(metrics)).toBe(1);
    await running.close();
    await f.memory.add('I play the viola', { userId: 'u', infer: false });
    expect(embeddedTexts(metrics)).toBe(1);
  });
});
