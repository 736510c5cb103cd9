/**
 * One sequence of mem0ai/oss calls, run unchanged against mem0ai/oss itself and against
 * engram's façade (test/mem0/side-by-side.test.ts). The fake OpenAI server answers both: its
 * "LLM" turns each user sentence into a third-person fact, for mem0's additive prompt and for
 * engram's single-pass prompt alike (src/eval/bench/scripted-answers.ts).
 */

type Options = Record<string, unknown>;

/** The methods the sequence calls: both mem0ai/oss's Memory and engram's façade have them. */
export interface Mem0Like {
  add(messages: unknown, options: Options): Promise<{ results: { id: string; memory: string }[] }>;
  get(id: string): Promise<unknown>;
  search(query: string, options: Options): Promise<unknown>;
  update(id: string, input: unknown): Promise<unknown>;
  delete(id: string): Promise<unknown>;
  deleteAll(options: Options): Promise<unknown>;
  history(id: string): Promise<unknown>;
  reset(): Promise<unknown>;
  getAll(options: Options): Promise<unknown>;
  updateProject(options?: Options): Promise<unknown>;
}

export interface Step {
  name: string;
  /** `outcome`: only whether the call threw is compared (error paths); default: the result's shape. */
  compare?: 'shape' | 'outcome';
  /** Compare memory texts by value (off for search: the two rank differently). */
  texts?: boolean;
  run(memory: Mem0Like, ids: Map<string, string>): Promise<unknown>;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

function idOf(ids: Map<string, string>, name: string): string {
  const id = ids.get(name);
  if (!id) throw new Error(`the sequence has no id named ${name}`);
  return id;
}

/** Remembers the ids an add returned, by their texts. */
async function addAndKeep(
  memory: Mem0Like,
  ids: Map<string, string>,
  messages: unknown,
  options: Options,
): Promise<unknown> {
  const result = await memory.add(messages, options);
  for (const item of result.results) if (!ids.has(item.memory)) ids.set(item.memory, item.id);
  return result;
}

const alice = { filters: { user_id: 'alice' } };
const bob = { filters: { user_id: 'bob' } };

export const SEQUENCE: readonly Step[] = [
  // infer: false
  {
    name: 'add raw',
    run: (m, ids) =>
      addAndKeep(
        m,
        ids,
        [
          { role: 'user', content: 'I live in Berlin.' },
          { role: 'assistant', content: 'Nice city.' },
        ],
        { userId: 'alice', infer: false, metadata: { topic: 'home' } },
      ),
  },
  {
    name: 'add raw again, scope in filters',
    run: (m, ids) => addAndKeep(m, ids, 'I live in Berlin.', { filters: { user_id: 'alice' }, infer: false }),
  },
  { name: 'getAll raw', run: (m) => m.getAll(alice) },
  { name: 'search raw', texts: false, run: (m) => m.search('Berlin', { ...alice, topK: 5 }) },
  { name: 'search explain', texts: false, run: (m) => m.search('Berlin', { ...alice, explain: true }) },
  { name: 'get', run: (m, ids) => m.get(idOf(ids, 'I live in Berlin.')) },
  { name: 'update text', run: (m, ids) => m.update(idOf(ids, 'I live in Berlin.'), 'I live in Munich.') },
  {
    name: 'update metadata',
    run: (m, ids) => m.update(idOf(ids, 'I live in Berlin.'), { metadata: { mood: 'ok', topic: null } }),
  },
  { name: 'get after updates', run: (m, ids) => m.get(idOf(ids, 'I live in Berlin.')) },
  { name: 'history after updates', run: (m, ids) => m.history(idOf(ids, 'I live in Berlin.')) },
  { name: 'delete', run: (m, ids) => m.delete(idOf(ids, 'Nice city.')) },
  { name: 'history after delete', run: (m, ids) => m.history(idOf(ids, 'Nice city.')) },
  { name: 'get unknown id', run: (m) => m.get(UNKNOWN_ID) },
  { name: 'history unknown id', run: (m) => m.history(UNKNOWN_ID) },

  // infer: true (the default)
  {
    name: 'add infer',
    run: (m, ids) => addAndKeep(m, ids, 'I work at Acme. I like hiking.', { userId: 'bob' }),
  },
  {
    name: 'add infer, one fact known',
    run: (m, ids) => addAndKeep(m, ids, 'I work at Acme. I like chess.', { userId: 'bob' }),
  },
  {
    name: 'add infer, a fact changed',
    run: (m, ids) => addAndKeep(m, ids, 'I work at Globex.', { userId: 'bob' }),
  },
  { name: 'getAll infer', run: (m) => m.getAll(bob) },
  { name: 'search infer', texts: false, run: (m) => m.search('Where does the user work?', bob) },
  { name: 'history infer', run: (m, ids) => m.history(idOf(ids, 'User works at Acme')) },

  // expiration (needs the engine's expirationDate and showExpired)
  {
    name: 'add expiring',
    run: (m) =>
      m.add('I have a dentist appointment.', { userId: 'carol', infer: false, expirationDate: '2020-01-01' }),
  },
  { name: 'getAll hides expired', run: (m) => m.getAll({ filters: { user_id: 'carol' } }) },
  { name: 'getAll showExpired', run: (m) => m.getAll({ filters: { user_id: 'carol' }, showExpired: true }) },
  { name: 'getAll topK 0', run: (m) => m.getAll({ ...alice, topK: 0 }) },

  // refusals and errors: only whether each call throws is compared
  ...(
    [
      ['add without scope', (m) => m.add('I like tea.', {})],
      ['add empty array', (m) => m.add([], { userId: 'alice' })],
      ['add blank string', (m) => m.add('  ', { userId: 'alice' })],
      ['add timestamp', (m) => m.add('I like tea.', { userId: 'dave', infer: false, timestamp: 1714000000 })],
      ['search top-level userId', (m) => m.search('tea', { userId: 'alice' })],
      ['search without scope', (m) => m.search('tea', {})],
      ['search threshold 2', (m) => m.search('tea', { ...alice, threshold: 2 })],
      ['search referenceDate', (m) => m.search('tea', { ...alice, referenceDate: '2024-01-01' })],
      ['search rerank', (m) => m.search('tea', { ...alice, rerank: true })],
      ['getAll topK -1', (m) => m.getAll({ ...alice, topK: -1 })],
      ['getAll topK 1.5', (m) => m.getAll({ ...alice, topK: 1.5 })],
      ['getAll without scope', (m) => m.getAll({})],
      ['update nothing', (m, ids) => m.update(idOf(ids, 'I live in Berlin.'), {})],
      ['update unknown id', (m) => m.update(UNKNOWN_ID, 'x')],
      ['delete unknown id', (m) => m.delete(UNKNOWN_ID)],
      ['deleteAll without scope', (m) => m.deleteAll({})],
      ['updateProject', (m) => m.updateProject()],
      ['updateProject decay', (m) => m.updateProject({ decay: true })],
    ] as const satisfies readonly (readonly [string, Step['run']])[]
  ).map(([name, run]): Step => ({ name, compare: 'outcome', run })),

  { name: 'deleteAll', run: (m) => m.deleteAll({ userId: 'alice' }) },
  { name: 'getAll after deleteAll', run: (m) => m.getAll(alice) },
  { name: 'reset', run: (m) => m.reset() },
  { name: 'getAll after reset', run: (m) => m.getAll(bob) },
];
