import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/spec/store.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { call, type ServerFixture, serverFixture } from '../server/server-fixture.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';
import { connectMcpInMemory, unpinned } from '../support/mcp-in-memory.js';
import { type FrontEnd, INPUT_CASES, type InputCase, type Operation } from './oversized-input-corpus.js';

/**
 * Every case of the corpus over every front end: a 4xx (MCP: isError; CLI: exit 2) whose message
 * names the problem, and the database exactly as before (memories, versions, vectors, messages,
 * history, jobs), counted through the store.
 */

const USER = 'alice';

/** What a front end answered. `status` is the HTTP status, or the CLI's exit code (0: accepted). */
interface Answer {
  accepted: boolean;
  status: number;
  code: string | null;
  message: string;
}

/** How one front end sends an operation, or why it cannot carry it (n/a, listed as a skipped test). */
type Carrier = (operation: Operation, memoryId: string) => (() => Promise<Answer>) | string;

let f: ServerFixture;
let mcp: Client;
let ollama: FakeOllama;
let cliTemp: ReturnType<typeof makeTempDir>;
let cliEnv: Record<string, string>;
const seeded: Record<FrontEnd, string> = { rest: '', platform: '', mcp: '', cli: '' };

beforeAll(async () => {
  f = await serverFixture();
  mcp = await connectMcpInMemory(f.memory, unpinned('A'));
  const added = await call(f.app, 'POST', '/memories', f.keys.adminA, {
    messages: 'likes tea',
    user_id: USER,
    infer: false,
  });
  const id = (added.json as { results: { id: string }[] }).results[0]!.id;
  seeded.rest = id;
  seeded.platform = id;
  seeded.mcp = id;

  ollama = await startFakeOllama({ dimensions: 16, models: ['nomic-embed-text'] });
  cliTemp = makeTempDir('engram-faults-cli-');
  cliEnv = {
    ENGRAM_DB: `${cliTemp.dir}/cli.db`,
    OLLAMA_BASE_URL: ollama.url,
    ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
    ENGRAM_LLM: 'none',
  };
  const cliAdd = await runInProcess(
    ['add', 'likes tea', '--user', USER, '--no-infer', '--json'],
    cliEnv,
    cliTemp.dir,
  );
  expect(cliAdd.code, cliAdd.stderr).toBe(0);
  seeded.cli = (JSON.parse(cliAdd.stdout) as { results: { id: string }[] }).results[0]!.id;
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  await f?.cleanup();
  await ollama?.close();
  cliTemp?.remove();
});

async function sendHttp(method: string, path: string, body: unknown): Promise<Answer> {
  const res = await call(f.app, method, path, f.keys.adminA, body);
  const error = (res.json as { error?: { code?: string; message?: string } }).error;
  return {
    accepted: res.status < 400,
    status: res.status,
    code: error?.code ?? null,
    message: error?.message ?? JSON.stringify(res.json).slice(0, 300),
  };
}

async function sendTool(name: string, args: Record<string, unknown>): Promise<Answer> {
  let result: CallToolResult;
  try {
    result = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
  } catch (error) {
    // A protocol error (the SDK refusing the arguments) is a refusal too, with its own words.
    return { accepted: false, status: 400, code: 'mcp_error', message: String(error) };
  }
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  const structured = result.structuredContent as { error?: { code?: string; message?: string } } | undefined;
  return {
    accepted: result.isError !== true,
    status: result.isError ? 400 : 200,
    // The SDK refuses arguments its schema rejects as JSON-RPC "invalid params" (-32602).
    code:
      structured?.error?.code ??
      (text.startsWith('MCP error -32602') ? 'invalid_params' : null) ??
      /^(\w+):/.exec(text)?.[1] ??
      null,
    message: structured?.error?.message ?? text,
  };
}

async function sendCli(args: string[]): Promise<Answer> {
  const run = await runInProcess(args, cliEnv, cliTemp.dir);
  // A refusal is one `engram: ...` line and nothing on stdout.
  if (run.code !== 0) {
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  }
  return { accepted: run.code === 0, status: run.code, code: null, message: run.stderr };
}

const http = (method: string, path: string, body: unknown) => () => sendHttp(method, path, body);
const tool = (name: string, args: Record<string, unknown>) => () => sendTool(name, args);
const cli = (args: string[]) => () => sendCli(args);
const json = (value: unknown) => JSON.stringify(value);

const carriers: Record<FrontEnd, Carrier> = {
  rest: (o, id) => {
    if (o.op === 'add') {
      return http('POST', '/memories', {
        messages: o.messages,
        user_id: USER,
        infer: false,
        metadata: o.metadata,
        event_time: o.eventTime,
        ...o.extra,
      });
    }
    if (o.op === 'search') {
      return http('POST', '/search', {
        query: o.query,
        user_id: USER,
        filters: o.filters,
        as_of: o.asOf,
        ...o.extra,
      });
    }
    return http('PUT', `/memories/${id}`, {
      text: o.text,
      metadata: o.metadata,
      event_time: o.eventTime,
      ...o.extra,
    });
  },
  platform: (o, id) => {
    if (o.op === 'add') {
      if (typeof o.eventTime === 'string') return 'the platform add takes `timestamp` in epoch seconds only';
      return http('POST', '/v3/memories/add/', {
        messages: o.messages,
        user_id: USER,
        infer: false,
        metadata: o.metadata,
        timestamp: o.eventTime,
        ...o.extra,
      });
    }
    if (o.op === 'search') {
      if (o.asOf !== undefined) return 'the platform search has no as_of';
      const filters = { user_id: USER, ...(o.filters as Record<string, unknown> | undefined) };
      return http('POST', '/v3/memories/search/', { query: o.query, filters, ...o.extra });
    }
    if (o.eventTime !== undefined) return 'the platform update has no event time';
    return http('PUT', `/v1/memories/${id}/`, { text: o.text, metadata: o.metadata, ...o.extra });
  },
  mcp: (o, id) => {
    if (o.op === 'add') {
      if (o.eventTime !== undefined) return 'add_memory has no event time';
      return tool('add_memory', {
        messages: o.messages,
        user_id: USER,
        infer: false,
        ...(o.metadata === undefined ? {} : { metadata: o.metadata }),
        ...o.extra,
      });
    }
    if (o.op === 'search') {
      return tool('search_memory', {
        query: o.query,
        user_id: USER,
        ...(o.filters === undefined ? {} : { filters: o.filters }),
        ...(o.asOf === undefined ? {} : { as_of: o.asOf }),
        ...o.extra,
      });
    }
    return tool('update_memory', {
      memory_id: id,
      ...(o.text === undefined ? {} : { text: o.text }),
      ...(o.metadata === undefined ? {} : { metadata: o.metadata }),
      ...(o.eventTime === undefined ? {} : { event_time: o.eventTime }),
      ...o.extra,
    });
  },
  cli: (o, id) => {
    const { user_id: user = USER, ...extra } = o.extra ?? {};
    const flags = Object.entries(extra).flatMap(([name, value]) => [`--${name}`, json(value)]);
    if (o.op === 'add') {
      if (typeof o.messages !== 'string') return '`engram add` takes one text, not a list of messages';
      return cli([
        'add',
        o.messages,
        '--user',
        String(user),
        '--no-infer',
        ...(o.metadata === undefined ? [] : ['--metadata', json(o.metadata)]),
        ...(o.eventTime === undefined ? [] : ['--event-time', String(o.eventTime)]),
        ...flags,
      ]);
    }
    if (o.op === 'search') {
      return cli([
        'search',
        o.query,
        '--user',
        String(user),
        ...(o.filters === undefined ? [] : ['--filters', json(o.filters)]),
        ...(o.asOf === undefined ? [] : ['--as-of', o.asOf]),
        ...flags,
      ]);
    }
    return cli([
      'update',
      id,
      ...(o.text === undefined ? [] : [o.text]),
      ...(o.metadata === undefined ? [] : ['--metadata', json(o.metadata)]),
      ...(o.eventTime === undefined ? [] : ['--event-time', o.eventTime]),
      ...flags,
    ]);
  },
};

/** Everything a refused input must leave as it was. */
async function counts(frontEnd: FrontEnd): Promise<Record<string, number>> {
  const read = async (store: Store) => {
    const { memories, versions, vectors, messages, history } = await store.stats();
    const { pending, running, done, dead } = await store.jobCounts(null);
    return { memories, versions, vectors, messages, history, pending, running, done, dead };
  };
  if (frontEnd !== 'cli') return read(f.store);
  const store = new SqliteStore({ path: cliEnv.ENGRAM_DB! });
  try {
    await store.init();
    return await read(store);
  } finally {
    await store.close();
  }
}

function expectRefusal(answer: Answer, frontEnd: FrontEnd, c: InputCase): void {
  const want = { code: c.code, says: c.says, status: c.status ?? 400, ...c.per?.[frontEnd] };
  const shown = `${frontEnd} answered ${answer.status} ${answer.code ?? ''}: ${answer.message}`;
  expect(answer.accepted, shown).toBe(false);
  if (frontEnd === 'cli') {
    expect(answer.status, shown).toBe(2); // a user error
  } else {
    expect(answer.status, shown).toBe(want.status);
    expect(answer.code, shown).toBe(want.code);
  }
  expect(answer.message, shown).toMatch(want.says);
}

const FRONT_ENDS: FrontEnd[] = ['rest', 'platform', 'mcp', 'cli'];

describe.each(FRONT_ENDS)('oversized and malformed input over %s', (frontEnd) => {
  for (const c of INPUT_CASES) {
    const carried = carriers[frontEnd](c.operation, '');
    const skip = c.notApplicable?.[frontEnd] ?? (typeof carried === 'string' ? carried : undefined);
    if (skip !== undefined) {
      it.skip(`${c.name} (n/a: ${skip})`, () => undefined);
      continue;
    }
    const gap = c.knownGaps?.[frontEnd];
    const run = async () => {
      const before = await counts(frontEnd);
      const send = carriers[frontEnd](c.operation, seeded[frontEnd]) as () => Promise<Answer>;
      expectRefusal(await send(), frontEnd, c);
      expect(await counts(frontEnd)).toEqual(before);
    };
    if (gap === undefined) it(`${c.name}: refused, nothing written`, run);
    else it.fails(`${c.name}: KNOWN GAP (${gap})`, run);
  }
});
