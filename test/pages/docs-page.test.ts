import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/server/serve.js';
import { type ServerFixture, serverFixture } from '../server/server-fixture.js';

/** Debian's Chromium, installed by .ci/run (apt-get install chromium). */
const CHROMIUM = '/usr/bin/chromium';

let fx: ServerFixture;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Page tests need Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (.ci/run does).`,
    );
  }
  fx = await serverFixture();
  server = await serve({ memory: fx.memory, port: 0, auth: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fx?.cleanup();
});

describe('the /docs page in a real headless Chromium', () => {
  it('lists the native routes and links to a valid OpenAPI document', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('engram API');
    const rows = await page.locator('tbody tr').allInnerTexts();
    const routes = rows.map((r) => r.split('\t').slice(0, 2).join(' '));
    expect(routes).toEqual(
      expect.arrayContaining(['POST /memories', 'POST /search', 'GET /memories/{id}/history', 'GET /health']),
    );
    await Promise.all([page.waitForURL(/\/openapi\.json$/), page.click('a[href="/openapi.json"]')]);
    const document = JSON.parse((await page.locator('body').textContent()) ?? '') as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toMatch(/^3\.1/);
    // Every operation of the document is a row of the page, and nothing else is.
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(operations.sort());
    await page.close();
  });
});
