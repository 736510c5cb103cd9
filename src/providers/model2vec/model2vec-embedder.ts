import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Embedder, EmbedResult, ProviderHealth } from '../../spec/embedder.js';
import { MemoryError } from '../../spec/memory-error.js';
import { checkDimensions } from '../embedding-dimensions.js';
import type { ModelSettings } from '../provider-deps.js';
import { loadStaticModel, MODEL_FILES, type StaticModel } from './model2vec-model.js';

// Everything is in memory and a text takes microseconds, so batching is the caller's convenience only.
const DEFAULT_BATCH_SIZE = 4096;
// Yield to the event loop between slices of a large batch so a server stays responsive while it embeds.
const TEXTS_PER_SLICE = 256;

export interface Model2VecOptions {
  /** Where a relative `model` path is resolved from. Default: process.cwd(). */
  cwd?: string | undefined;
}

/**
 * In-process embeddings from a local model2vec folder (static token vectors, mean-pooled). The folder is read
 * on the first `embed`, never downloaded: `model` is a path, relative to the working directory or absolute.
 */
export class Model2VecEmbedder implements Embedder {
  readonly id: string;
  readonly maxEmbeddingsPerCall: number;
  /** The resolved model folder. */
  readonly folder: string;
  readonly #configuredDimensions: number | undefined;
  #loading: Promise<StaticModel> | undefined;
  #model: StaticModel | undefined;

  constructor(settings: ModelSettings, options: Model2VecOptions = {}) {
    const model = settings.model.trim();
    if (model === '') {
      throw new MemoryError(
        'invalid_config',
        `model2vec needs \`model\` set to a local model2vec folder. ${HOW_TO}`,
      );
    }
    this.folder = path.resolve(options.cwd ?? process.cwd(), model);
    this.id = `model2vec:${path.basename(this.folder)}`;
    this.maxEmbeddingsPerCall = settings.batchSize ?? DEFAULT_BATCH_SIZE;
    this.#configuredDimensions = settings.dimensions;
  }

  get dimensions(): number | undefined {
    return this.#model?.dimensions ?? this.#configuredDimensions;
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    if (texts.length === 0) return { embeddings: [] };
    const model = await this.#load();
    const embeddings: number[][] = [];
    let inputTokens = 0;
    for (let start = 0; start < texts.length; start += TEXTS_PER_SLICE) {
      options.signal?.throwIfAborted();
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (const text of texts.slice(start, start + TEXTS_PER_SLICE)) {
        const { vector, tokens } = model.encode(text);
        embeddings.push(vector);
        inputTokens += tokens;
      }
    }
    checkDimensions(this.id, embeddings, texts.length, this.#configuredDimensions, model.dimensions);
    return { embeddings, inputTokens };
  }

  /** The folder exists and its model files are readable; does not load the model. Never throws. */
  async health(): Promise<ProviderHealth> {
    try {
      await this.#checkFolder();
      const loaded = this.#model === undefined ? '' : `, loaded (${this.#model.dimensions} dimensions)`;
      return { ok: true, detail: `model2vec model folder ${this.folder} is readable${loaded}.` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** One load shared by concurrent callers; a failed load is forgotten so a fixed folder works without a restart. */
  #load(): Promise<StaticModel> {
    if (this.#model !== undefined) return Promise.resolve(this.#model);
    this.#loading ??= (async () => {
      await this.#checkFolder();
      const model = await loadStaticModel(this.folder);
      if (this.#configuredDimensions !== undefined && model.dimensions !== this.#configuredDimensions) {
        throw new MemoryError(
          'embedder_error',
          `Embedder ${this.id} produces ${model.dimensions}-dimensional vectors but dimensions is set to ` +
            `${this.#configuredDimensions}. Set dimensions to ${model.dimensions}, or point at another model.`,
          { details: { expected: this.#configuredDimensions, actual: model.dimensions } },
        );
      }
      this.#model = model;
      return model;
    })().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #checkFolder(): Promise<void> {
    const isFolder = await stat(this.folder).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (!isFolder) {
      throw new MemoryError(
        'invalid_config',
        `model2vec model folder ${this.folder} does not exist. engram never downloads models. ${HOW_TO}`,
        { details: { folder: this.folder } },
      );
    }
    for (const file of MODEL_FILES) {
      try {
        await access(path.join(this.folder, file), constants.R_OK);
      } catch (cause) {
        throw new MemoryError(
          'invalid_config',
          `model2vec model folder ${this.folder} has no readable ${file}. ${HOW_TO}`,
          { cause, details: { folder: this.folder, file } },
        );
      }
    }
  }
}

const HOW_TO =
  `Download a model2vec model yourself (e.g. \`huggingface-cli download minishlab/potion-base-8M --local-dir ` +
  `models/potion-base-8M\`) and set the embedder's model to that folder, absolute or relative to the working ` +
  `directory (e.g. "model2vec:./models/potion-base-8M"). It must hold ${MODEL_FILES.join(', ')}.`;
