import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MemoryError } from '../../spec/memory-error.js';
import { Model2VecTokenizer } from './model2vec-tokenizer.js';
import { parseSafetensors, type Safetensors, SafetensorsError } from './safetensors.js';

/** model2vec's default: at most this many tokens of a text are pooled. */
export const MAX_TOKENS = 512;

export const MODEL_FILES = ['config.json', 'tokenizer.json', 'model.safetensors'] as const;

/** A loaded static embedding model: a token → vector table and the tokenizer that produces the tokens. */
export interface StaticModel {
  dimensions: number;
  /** One vector per text and how many tokens were pooled for it. */
  encode(text: string): { vector: number[]; tokens: number };
}

/**
 * Loads a model2vec folder (config.json, tokenizer.json, model.safetensors). Pooling follows model2vec: the
 * text is cut to MAX_TOKENS × the median token length in characters, tokenized without special tokens, the
 * model's unknown token dropped (WordPiece/WordLevel), cut to MAX_TOKENS, then the mean of the tokens' rows
 * (via `mapping` and scaled by `weights` when the file has them, as vocabulary-quantized models do),
 * L2-normalised when config.json says `normalize: true`.
 */
export async function loadStaticModel(folder: string): Promise<StaticModel> {
  const [configText, tokenizerText, weightsFile] = await Promise.all(
    MODEL_FILES.map((file) => readModelFile(folder, file)),
  );
  const config = parseJson(folder, 'config.json', String(configText));
  const normalize =
    typeof config === 'object' && config !== null && 'normalize' in config && config.normalize === true;
  const tokenizer = withPath(
    folder,
    'tokenizer.json',
    () => new Model2VecTokenizer(parseJson(folder, 'tokenizer.json', String(tokenizerText))),
  );
  const tensors = withPath(folder, 'model.safetensors', () => parseSafetensors(weightsFile as Buffer));
  const table = withPath(folder, 'model.safetensors', () => embeddingTable(tensors, tokenizer.vocabSize));

  return {
    dimensions: table.dimensions,
    encode(text) {
      const cut = Array.from(text)
        .slice(0, MAX_TOKENS * tokenizer.medianTokenLength)
        .join('');
      let ids = tokenizer.encode(cut);
      const unk = tokenizer.droppedUnkId;
      if (unk !== undefined) ids = ids.filter((id) => id !== unk);
      ids = ids.slice(0, MAX_TOKENS);
      return { vector: table.pool(ids, normalize), tokens: ids.length };
    },
  };
}

interface EmbeddingTable {
  dimensions: number;
  pool(ids: readonly number[], normalize: boolean): number[];
}

/** The 2-D embeddings tensor plus the optional per-token `mapping` (token → row) and `weights`. */
function embeddingTable(tensors: Safetensors, vocabSize: number): EmbeddingTable {
  const name = ['embeddings', '0', 'embedding.weight'].find((candidate) => tensors.tensors.has(candidate));
  const info = name === undefined ? undefined : tensors.tensors.get(name);
  if (name === undefined || info === undefined) {
    throw new SafetensorsError(
      `no embeddings tensor (looked for "embeddings", "0", "embedding.weight"; found ${[...tensors.tensors.keys()].join(', ')})`,
    );
  }
  const [rows, dimensions] = info.shape;
  if (info.shape.length !== 2 || rows === undefined || dimensions === undefined || dimensions === 0) {
    throw new SafetensorsError(
      `tensor "${name}" has shape [${info.shape.join(', ')}]; a 2-D [tokens, dimensions] matrix is needed`,
    );
  }
  const matrix = tensors.readFloat32(name);
  const mapping = tensors.tensors.has('mapping') ? tensors.read('mapping') : undefined;
  const weights = tensors.tensors.has('weights') ? tensors.read('weights') : undefined;

  if (mapping !== undefined) {
    if (mapping.length < vocabSize) {
      throw new SafetensorsError(
        `"mapping" has ${mapping.length} entries for a vocabulary of ${vocabSize} tokens`,
      );
    }
    if (mapping.some((row) => !Number.isInteger(row) || row < 0 || row >= rows)) {
      throw new SafetensorsError(`"mapping" points at rows outside the ${rows}-row embeddings tensor`);
    }
  } else if (rows < vocabSize) {
    throw new SafetensorsError(`"${name}" has ${rows} rows for a vocabulary of ${vocabSize} tokens`);
  }
  if (weights !== undefined && weights.length < vocabSize) {
    throw new SafetensorsError(
      `"weights" has ${weights.length} entries for a vocabulary of ${vocabSize} tokens`,
    );
  }

  return {
    dimensions,
    pool(ids, normalize) {
      const sum = new Float64Array(dimensions);
      for (const id of ids) {
        const row = mapping === undefined ? id : (mapping[id] as number);
        const scale = weights === undefined ? 1 : (weights[id] as number);
        const offset = row * dimensions;
        for (let d = 0; d < dimensions; d++)
          sum[d] = (sum[d] as number) + (matrix[offset + d] as number) * scale;
      }
      // An empty text has no tokens: model2vec returns the zero vector for it.
      const count = Math.max(1, ids.length);
      let norm = 0;
      for (let d = 0; d < dimensions; d++) {
        sum[d] = (sum[d] as number) / count;
        norm += (sum[d] as number) ** 2;
      }
      const divisor = normalize ? Math.max(Math.sqrt(norm), 1e-12) : 1;
      return Array.from(sum, (value) => value / divisor);
    },
  };
}

async function readModelFile(folder: string, file: string): Promise<Buffer | string> {
  const full = path.join(folder, file);
  try {
    return file.endsWith('.json') ? await readFile(full, 'utf8') : await readFile(full);
  } catch (cause) {
    throw new MemoryError(
      'invalid_config',
      `model2vec model folder ${folder} has no readable ${file} (${describe(cause)}). ` +
        `A model2vec folder holds ${MODEL_FILES.join(', ')}.`,
      { cause, details: { folder, file } },
    );
  }
}

function parseJson(folder: string, file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MemoryError('invalid_config', `${path.join(folder, file)} is not valid JSON.`, {
      cause,
      details: { folder, file },
    });
  }
}

/** Names the file in errors from parsing it, keeping a MemoryError's code and details. */
function withPath<T>(folder: string, file: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const where = path.join(folder, file);
    if (MemoryError.is(error)) {
      throw new MemoryError(error.code, `${where}: ${error.message}`, {
        cause: error,
        details: { ...error.details, folder, file },
      });
    }
    if (error instanceof SafetensorsError) {
      throw new MemoryError(
        'invalid_config',
        `${where} is not a usable model2vec weights file: ${error.message}.`,
        {
          cause: error,
          details: { folder, file },
        },
      );
    }
    throw error;
  }
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
