import { MemoryError } from '../../spec/memory-error.js';
import { unsupported } from './tokenizer-errors.js';
import { asSpec, isRecord, type Spec } from './tokenizer-normalizer.js';

/** The vocabulary model: one pre-tokenized word → token ids. */
export interface TokenizerModel {
  tokenize(word: string): number[];
  /** token → id for every entry of the model's vocabulary. */
  vocab: Map<string, number>;
  /**
   * The id model2vec drops before pooling. model2vec reads it from the model's `unk_token` field, which
   * WordPiece and WordLevel have and Unigram does not, so Unigram's unknown pieces are pooled like any other.
   */
  droppedUnkId: number | undefined;
}

const SUPPORTED = ['Unigram', 'WordPiece', 'WordLevel'];

export function buildTokenizerModel(config: unknown): TokenizerModel {
  const spec = asSpec(config, 'model');
  switch (spec.type) {
    case 'Unigram':
      return unigram(spec);
    case 'WordPiece':
      return wordPiece(spec);
    case 'WordLevel':
      return wordLevel(spec);
    default:
      throw unsupported('model', spec.type, SUPPORTED);
  }
}

// The crate's penalty for a character no piece covers: below the rarest piece, so known pieces always win.
const UNK_PENALTY = 10;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Set when a piece ends here. */
  id?: number;
}

/**
 * SentencePiece Unigram: Viterbi over the word for the highest total log-probability, as the `tokenizers`
 * crate does it (ties keep the earlier path; consecutive unknown characters fuse into one unknown piece;
 * with byte_fallback an unknown piece becomes its UTF-8 bytes `<0xNN>` when all of them are in the vocab).
 */
function unigram(spec: Spec): TokenizerModel {
  if (!Array.isArray(spec.vocab)) throw malformed('Unigram model has no vocab array');
  const vocab = new Map<string, number>();
  const scores: number[] = [];
  const root: TrieNode = { children: new Map() };
  let minScore = Number.POSITIVE_INFINITY;
  spec.vocab.forEach((entry: unknown, id) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') {
      throw malformed(`Unigram vocab entry ${id} is not [piece, score]`);
    }
    const [piece, score] = entry as [string, number];
    if (!vocab.has(piece)) vocab.set(piece, id);
    scores[id] = score;
    minScore = Math.min(minScore, score);
    if (piece === '') return;
    let node = root;
    for (const char of piece) {
      let next = node.children.get(char);
      if (next === undefined) {
        next = { children: new Map() };
        node.children.set(char, next);
      }
      node = next;
    }
    node.id ??= id;
  });
  const unkId = typeof spec.unk_id === 'number' ? spec.unk_id : undefined;
  const byteFallback = spec.byte_fallback === true;
  const unkScore = minScore - UNK_PENALTY;

  const piecesOf = (word: string): string[] => {
    const chars = Array.from(word);
    const n = chars.length;
    // best[end]: best path over chars[0, end): its score, where its last piece starts, and that piece's id.
    const best: { score: number; start: number; id: number }[] = [{ score: 0, start: -1, id: -1 }];
    for (let start = 0; start < n; start++) {
      const here = best[start];
      if (here === undefined) continue;
      let node: TrieNode | undefined = root;
      let coveredOneChar = false;
      for (let end = start; end < n && node !== undefined; end++) {
        node = node.children.get(chars[end] as string);
        if (node?.id === undefined) continue;
        if (end === start) coveredOneChar = true;
        relax(best, end + 1, here.score + (scores[node.id] ?? 0), start, node.id);
      }
      if (!coveredOneChar) {
        if (unkId === undefined)
          throw malformed('Unigram model has no unk_id but the text has unknown characters');
        relax(best, start + 1, here.score + unkScore, start, unkId);
      }
    }
    const pieces: string[] = [];
    let unknownRun = '';
    for (let end = n; end > 0; ) {
      const node = best[end] as { start: number; id: number };
      const piece = chars.slice(node.start, end).join('');
      if (node.id === unkId) {
        unknownRun = piece + unknownRun;
      } else {
        if (unknownRun !== '') pieces.push(unknownRun);
        unknownRun = '';
        pieces.push(piece);
      }
      end = node.start;
    }
    if (unknownRun !== '') pieces.push(unknownRun);
    return pieces.reverse();
  };

  const idsOf = (piece: string): number[] => {
    const id = vocab.get(piece);
    if (id !== undefined) return [id];
    if (byteFallback) {
      const bytes = [...Buffer.from(piece, 'utf8')].map((byte) =>
        vocab.get(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`),
      );
      if (bytes.every((byteId) => byteId !== undefined)) return bytes as number[];
    }
    if (unkId === undefined) throw malformed('Unigram model has no unk_id but the text has unknown pieces');
    return [unkId];
  };

  return { vocab, droppedUnkId: undefined, tokenize: (word) => piecesOf(word).flatMap(idsOf) };
}

function relax(
  best: { score: number; start: number; id: number }[],
  end: number,
  score: number,
  start: number,
  id: number,
): void {
  const current = best[end];
  if (current === undefined || score > current.score) best[end] = { score, start, id };
}

/** BERT WordPiece: greedy longest match, continuation pieces prefixed "##"; an unmatchable word is one [UNK]. */
function wordPiece(spec: Spec): TokenizerModel {
  const vocab = vocabMap(spec, 'WordPiece');
  const unkId = unkIdOf(spec, vocab, 'WordPiece');
  const prefix = typeof spec.continuing_subword_prefix === 'string' ? spec.continuing_subword_prefix : '##';
  const maxChars = typeof spec.max_input_chars_per_word === 'number' ? spec.max_input_chars_per_word : 100;
  const tokenize = (word: string): number[] => {
    const chars = Array.from(word);
    if (chars.length > maxChars) return [unkId];
    const ids: number[] = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let found: number | undefined;
      for (; end > start; end--) {
        const piece = (start > 0 ? prefix : '') + chars.slice(start, end).join('');
        found = vocab.get(piece);
        if (found !== undefined) break;
      }
      if (found === undefined) return [unkId];
      ids.push(found);
      start = end;
    }
    return ids;
  };
  return { vocab, droppedUnkId: unkId, tokenize };
}

function wordLevel(spec: Spec): TokenizerModel {
  const vocab = vocabMap(spec, 'WordLevel');
  const unkId = unkIdOf(spec, vocab, 'WordLevel');
  return { vocab, droppedUnkId: unkId, tokenize: (word) => [vocab.get(word) ?? unkId] };
}

function vocabMap(spec: Spec, type: string): Map<string, number> {
  if (!isRecord(spec.vocab)) throw malformed(`${type} model has no vocab object`);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(spec.vocab)) {
    if (typeof id !== 'number') throw malformed(`${type} vocab entry "${token}" has no numeric id`);
    vocab.set(token, id);
  }
  return vocab;
}

function unkIdOf(spec: Spec, vocab: Map<string, number>, type: string): number {
  const unkToken = typeof spec.unk_token === 'string' ? spec.unk_token : '[UNK]';
  const id = vocab.get(unkToken);
  if (id === undefined) throw malformed(`${type} unk_token "${unkToken}" is not in the vocab`);
  return id;
}

function malformed(problem: string): MemoryError {
  return new MemoryError('invalid_config', `tokenizer.json is malformed: ${problem}.`);
}
