import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Model2VecEmbedder } from '../../src/providers/model2vec/model2vec-embedder.js';
import { Model2VecTokenizer } from '../../src/providers/model2vec/model2vec-tokenizer.js';
import { parseSafetensors } from '../../src/providers/model2vec/safetensors.js';
import { createEmbedder } from '../../src/providers/registry.js';
import { MemoryError } from '../../src/spec/memory-error.js';

// The fixture lives outside the repo (shared by the team, never copied in): MinishLab/model2vec-rs's
// test-model-vocab-quantized, a Unigram tokenizer with F32 embeddings[128,64], I32 mapping and F64 weights.
const FIXTURE = path.resolve(process.cwd(), '../shared/models/model2vec-fixture');
const hasFixture = existsSync(path.join(FIXTURE, 'model.safetensors'));
if (!hasFixture)
  console.warn(`model2vec fixture tests skipped: ${FIXTURE} is absent (see its PROVENANCE.md).`);

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
}

const norm = (vector: readonly number[]) => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));

async function failure(promise: Promise<unknown>): Promise<MemoryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!MemoryError.is(error)) throw new Error(`expected a MemoryError, got ${String(error)}`);
  return error;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'engram-m2v-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A safetensors file: header JSON padded with spaces to 8 bytes, then the tensors' bytes in order. */
function safetensors(tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }>): Buffer {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.data.length],
    };
    offset += tensor.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, Buffer.from(json), ...Object.values(tensors).map((tensor) => tensor.data)]);
}

/** float16 bits of small integers (exact in half precision). */
function f16(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 2);
  values.forEach((value, i) => {
    if (value === 0) return;
    const exponent = Math.floor(Math.log2(Math.abs(value)));
    const fraction = Math.round((Math.abs(value) / 2 ** exponent - 1) * 1024);
    out.writeUInt16LE((value < 0 ? 0x8000 : 0) | ((exponent + 15) << 10) | fraction, i * 2);
  });
  return out;
}

const WORDPIECE_VOCAB = {
  '[PAD]': 0,
  '[UNK]': 1,
  '[CLS]': 2,
  '[SEP]': 3,
  green: 4,
  tea: 5,
  '##s': 6,
  i: 7,
  like: 8,
  '!': 9,
  cafe: 10,
  un: 11,
  '##like': 12,
};

/** A BERT-style WordPiece model whose token i has the vector [i, 1]; not normalized, so means are exact. */
async function writeWordPieceModel(dir: string): Promise<void> {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  const tokenizer = {
    version: '1.0',
    added_tokens: specials.map((content, id) => ({ id, content, normalized: false, special: true })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'TemplateProcessing' },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: WORDPIECE_VOCAB,
    },
  };
  const rows = Object.keys(WORDPIECE_VOCAB).length;
  const matrix = Array.from({ length: rows }, (_, i) => [i, 1]).flat();
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    path.join(dir, 'config.json'),
    JSON.stringify({ model_type: 'model2vec', normalize: false }),
  );
  await writeFile(
    path.join(dir, 'model.safetensors'),
    safetensors({ embeddings: { dtype: 'F16', shape: [rows, 2], data: f16(matrix) } }),
  );
}

describe('Model2VecEmbedder on the model2vec-rs fixture', () => {
  it.skipIf(!hasFixture)('matches the reference embedding of model2vec-rs', async () => {
    const reference = JSON.parse(
      readFileSync(path.join(FIXTURE, 'reference_embeddings_vocab_quantized.json'), 'utf8'),
    ) as number[][];
    const embedder = new Model2VecEmbedder({ model: FIXTURE });
    expect(embedder.id).toBe('model2vec:model2vec-fixture');
    expect(embedder.dimensions).toBeUndefined();

    const { embeddings, inputTokens } = await embedder.embed([Array(1000).fill('hello').join(' ')]);

    const [vector] = embeddings;
    expect(vector).toHaveLength(64);
    expect(cosine(vector ?? [], reference[0] ?? [])).toBeGreaterThan(1 - 1e-6);
    for (const [i, value] of (vector ?? []).entries()) {
      expect(value).toBeCloseTo(reference[0]?.[i] ?? Number.NaN, 5);
    }
    expect(inputTokens).toBe(512); // model2vec pools at most 512 tokens
    expect(embedder.dimensions).toBe(64);
  });

  it.skipIf(!hasFixture)('tokenizes exactly like Hugging Face tokenizers', () => {
    const tokenizer = new Model2VecTokenizer(
      JSON.parse(readFileSync(path.join(FIXTURE, 'tokenizer.json'), 'utf8')),
    );
    // Expected ids from `tokenizers` 0.23.2: Tokenizer.from_file(...).encode(text, add_special_tokens=False).ids
    const cases: [string, number[]][] = [
      ['Hello, world! I like green tea.', [6594, 13, 1091, 2, 48, 1069, 1667, 4574, 15]],
      ['Café naïve résumé — ÜBER straße', [6670, 14745, 12748, 520, 18171, 1360, 26809]],
      ['東京 is in Japan 日本', [882, 758, 1006, 1002, 1902, 867, 879]],
      ['xqzjwv unknownword', [63, 3162, 1482, 2503, 1862, 1617, 3244, 17353]],
      ['ΣΊΣΥΦΟΣ', [176, 17201, 28735, 28737, 28738, 28732, 28735]],
      ['emoji 😀 test\ttab\nnewline', [44, 4304, 3480, 1, 2233, 20630, 1050, 3181]],
      ['[UNK] [PAD] token', [1, 0, 18206]],
      [
        "don't stop-believing; it's 3:45pm?",
        [1126, 8, 59, 1646, 14, 7931, 28, 1012, 8, 58, 20, 27, 2431, 8739, 32],
      ],
      ['\u0000ctrl\u200bzero width', [42, 15346, 22860, 9626, 8383]],
      ['   ', []],
    ];
    for (const [text, ids] of cases) expect(tokenizer.encode(text), text).toEqual(ids);
  });

  it.skipIf(!hasFixture)(
    'pools with mapping and weights like model2vec (checked against numpy)',
    async () => {
      const embedder = new Model2VecEmbedder({ model: FIXTURE });
      const [vector] = (await embedder.embed(['Hello, world! I like green tea.'])).embeddings;
      // numpy: v = (E[M[ids]] * W[ids][:, None]).mean(0); v / ||v||, with the tokenizer ids above.
      const expected = [-0.121202, 0.057679, 0.439704, 0.084756, 0.014525, -0.139674, -0.184381, -0.137298];
      for (const [i, value] of expected.entries()) expect(vector?.[i]).toBeCloseTo(value, 5);
      expect(norm(vector ?? [])).toBeCloseTo(1, 6);
    },
  );

  it.skipIf(!hasFixture)(
    'keeps batch order, is deterministic, and gives empty text the zero vector',
    async () => {
      const embedder = new Model2VecEmbedder({ model: FIXTURE });
      const texts = Array.from({ length: 600 }, (_, i) => `memory number ${i} about topic ${i % 7}`);
      texts.push('');
      const batch = await embedder.embed(texts);
      expect(batch.embeddings).toHaveLength(601);
      for (const i of [0, 1, 299, 599]) {
        const [single] = (await embedder.embed([texts[i] ?? ''])).embeddings;
        expect(batch.embeddings[i]).toEqual(single);
      }
      expect(batch.embeddings[0]).not.toEqual(batch.embeddings[1]);
      expect(batch.embeddings[600]?.every((x) => x === 0)).toBe(true);
      expect(await embedder.embed([])).toEqual({ embeddings: [] });
    },
  );

  it.skipIf(!hasFixture)(
    'is the registry provider "model2vec", with paths relative to the working directory',
    async () => {
      const relative = path.relative(process.cwd(), FIXTURE);
      const embedder = createEmbedder({ provider: 'model2vec', model: relative });
      expect(embedder.id).toBe('model2vec:model2vec-fixture');
      expect((await embedder.embed(['hi'])).embeddings[0]).toHaveLength(64);
      expect(await embedder.health?.()).toEqual({ ok: true, detail: expect.stringContaining('readable') });
    },
  );

  it.skipIf(!hasFixture)('refuses a configured dimension the model does not have', async () => {
    const embedder = new Model2VecEmbedder({ model: FIXTURE, dimensions: 256 });
    const error = await failure(embedder.embed(['hi']));
    expect(error.code).toBe('embedder_error');
    expect(error.details).toEqual({ expected: 256, actual: 64 });
  });
});

describe('Model2VecEmbedder', () => {
  it('explains a missing folder without trying the network', async () => {
    const fetchCalls: unknown[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input) => {
      fetchCalls.push(input);
      throw new Error('no network in this test');
    };
    onTestFinished(() => {
      globalThis.fetch = realFetch;
    });
    const embedder = new Model2VecEmbedder({ model: 'models/does-not-exist' });
    const error = await failure(embedder.embed(['hi']));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('never downloads');
    expect(error.message).toContain(path.resolve('models/does-not-exist'));
    expect(error.details).toEqual({ folder: path.resolve('models/does-not-exist') });
    expect((await embedder.health()).ok).toBe(false);
    expect(fetchCalls).toEqual([]);
  });

  it('names a folder that lacks one of the model files', async () => {
    const dir = await tempDir();
    await writeWordPieceModel(dir);
    await rm(path.join(dir, 'model.safetensors'));
    const error = await failure(new Model2VecEmbedder({ model: dir }).embed(['hi']));
    expect(error.code).toBe('invalid_config');
    expect(error.details).toMatchObject({ file: 'model.safetensors' });
  });

  it('refuses a tokenizer model type it does not implement, by name', async () => {
    const dir = await tempDir();
    await writeWordPieceModel(dir);
    await writeFile(
      path.join(dir, 'tokenizer.json'),
      JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [] } }),
    );
    const error = await failure(new Model2VecEmbedder({ model: dir }).embed(['hi']));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('"BPE"');
    expect(error.details).toMatchObject({ kind: 'model', type: 'BPE', file: 'tokenizer.json' });
  });

  it('refuses an unknown normalizer and pre-tokenizer, by name', () => {
    const model = { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' };
    const build = (extra: Record<string, unknown>) => () => new Model2VecTokenizer({ model, ...extra });
    expect(build({ normalizer: { type: 'Precompiled', precompiled_charsmap: '' } })).toThrow(
      /normalizer type "Precompiled"/,
    );
    expect(build({ pre_tokenizer: { type: 'ByteLevel' } })).toThrow(/pre-tokenizer type "ByteLevel"/);
  });

  it('runs a BERT WordPiece model: no [CLS]/[SEP], [UNK] dropped, F16 weights, plain mean', async () => {
    const dir = await tempDir();
    await writeWordPieceModel(dir);
    const embedder = new Model2VecEmbedder({ model: dir });
    // ids (checked with Hugging Face tokenizers): [7, 8, 4, 5, 6, 9] and [10, 11, 12, 1→dropped]
    const result = await embedder.embed(['I like green teas!', 'Café unlike xyz']);
    expect(result.embeddings).toEqual([
      [6.5, 1],
      [11, 1],
    ]);
    expect(result.inputTokens).toBe(9);
    expect(embedder.dimensions).toBe(2);
  });

  it('reports a file that is not safetensors', async () => {
    const dir = await tempDir();
    await writeWordPieceModel(dir);
    await writeFile(path.join(dir, 'model.safetensors'), 'not a tensor file at all');
    const error = await failure(new Model2VecEmbedder({ model: dir }).embed(['hi']));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('model.safetensors');
  });

  it('loads once for concurrent callers and retries after a failed load', async () => {
    const dir = await tempDir();
    const embedder = new Model2VecEmbedder({ model: path.join(dir, 'later') });
    expect((await failure(embedder.embed(['x']))).code).toBe('invalid_config');
    await mkdir(path.join(dir, 'later'));
    await writeWordPieceModel(path.join(dir, 'later'));
    const [a, b] = await Promise.all([embedder.embed(['tea']), embedder.embed(['green'])]);
    expect(a.embeddings).toEqual([[5, 1]]);
    expect(b.embeddings).toEqual([[4, 1]]);
  });
});

describe('parseSafetensors', () => {
  it('decodes F64, I32, I8 and BF16 and checks byte lengths', () => {
    const f64 = Buffer.alloc(16);
    f64.writeDoubleLE(0.5, 0);
    f64.writeDoubleLE(-2, 8);
    const i32 = Buffer.alloc(8);
    i32.writeInt32LE(-7, 0);
    i32.writeInt32LE(9, 4);
    const bf16 = Buffer.alloc(2);
    bf16.writeUInt16LE(0x3fc0, 0); // 1.5
    const file = parseSafetensors(
      safetensors({
        a: { dtype: 'F64', shape: [2], data: f64 },
        b: { dtype: 'I32', shape: [2, 1], data: i32 },
        c: { dtype: 'I8', shape: [2], data: Buffer.from([0xff, 3]) },
        d: { dtype: 'BF16', shape: [1], data: bf16 },
      }),
    );
    expect([...file.read('a')]).toEqual([0.5, -2]);
    expect([...file.read('b')]).toEqual([-7, 9]);
    expect([...file.read('c')]).toEqual([-1, 3]);
    expect([...file.readFloat32('d')]).toEqual([1.5]);
    expect(() => file.read('missing')).toThrow(/no tensor named "missing"/);

    const short = safetensors({ x: { dtype: 'F32', shape: [3], data: Buffer.alloc(8) } });
    expect(() => parseSafetensors(short).read('x')).toThrow(/needs 12/);
    const odd = safetensors({ x: { dtype: 'C64', shape: [1], data: Buffer.alloc(8) } });
    expect(() => parseSafetensors(odd).read('x')).toThrow(/dtype C64/);
  });
});
