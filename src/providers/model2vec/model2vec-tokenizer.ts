import { MemoryError } from '../../spec/memory-error.js';
import { buildTokenizerModel, type TokenizerModel } from './tokenizer-model.js';
import { buildNormalizer, isRecord, type Normalizer } from './tokenizer-normalizer.js';
import { buildPreTokenizer, type PreTokenizer } from './tokenizer-pre-tokenizer.js';

/**
 * The subset of a Hugging Face `tokenizer.json` that static embedding models need: added tokens, normalizer,
 * pre-tokenizer and a Unigram / WordPiece / WordLevel model. Special tokens are never added around the text
 * (model2vec encodes with `add_special_tokens=False`), so the post-processor is ignored.
 */
export class Model2VecTokenizer {
  readonly #normalize: Normalizer;
  readonly #preTokenize: PreTokenizer;
  readonly #model: TokenizerModel;
  /** Added tokens, longest first, matched in the raw text before normalization. */
  readonly #added: { content: string; id: number }[];

  /** Median length of the vocabulary's tokens, for model2vec's cheap pre-truncation of long texts. */
  readonly medianTokenLength: number;

  constructor(json: unknown) {
    if (!isRecord(json)) throw new MemoryError('invalid_config', 'tokenizer.json is not a JSON object.');
    // Order matters only for the error a broken file gets: the model is the part people recognise.
    this.#model = buildTokenizerModel(json.model);
    this.#normalize = buildNormalizer(json.normalizer);
    this.#preTokenize = buildPreTokenizer(json.pre_tokenizer);
    this.#added = addedTokens(json.added_tokens);
    const lengths = [...this.#model.vocab.keys()]
      .map((token) => Array.from(token).length)
      .sort((a, b) => a - b);
    this.medianTokenLength = Math.max(1, lengths[Math.floor(lengths.length / 2)] ?? 1);
  }

  /** See TokenizerModel.droppedUnkId. */
  get droppedUnkId(): number | undefined {
    return this.#model.droppedUnkId;
  }

  /** The largest id the tokenizer can produce, to check the embedding matrix covers it. */
  get maxId(): number {
    let max = -1;
    for (const id of this.#model.vocab.values()) max = Math.max(max, id);
    for (const token of this.#added) max = Math.max(max, token.id);
    return max;
  }

  get vocabSize(): number {
    return this.maxId + 1;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    let first = true;
    for (const segment of this.#splitAdded(text)) {
      if (typeof segment === 'number') {
        ids.push(segment);
      } else {
        for (const word of this.#preTokenize(this.#normalize(segment), first)) {
          ids.push(...this.#model.tokenize(word));
        }
      }
      first = false;
    }
    return ids;
  }

  /** Text pieces and the ids of added tokens found between them, in order. */
  #splitAdded(text: string): (string | number)[] {
    if (this.#added.length === 0) return [text];
    const out: (string | number)[] = [];
    let rest = text;
    for (;;) {
      let at = -1;
      let match: { content: string; id: number } | undefined;
      for (const token of this.#added) {
        const index = rest.indexOf(token.content);
        if (index >= 0 && (at < 0 || index < at)) {
          at = index;
          match = token;
        }
      }
      if (match === undefined) break;
      if (at > 0) out.push(rest.slice(0, at));
      out.push(match.id);
      rest = rest.slice(at + match.content.length);
    }
    if (rest !== '') out.push(rest);
    return out;
  }
}

function addedTokens(value: unknown): { content: string; id: number }[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (token): token is { content: string; id: number } =>
        isRecord(token) &&
        typeof token.content === 'string' &&
        token.content !== '' &&
        typeof token.id === 'number',
    )
    .map(({ content, id }) => ({ content, id }))
    .sort((a, b) => b.content.length - a.content.length);
}
