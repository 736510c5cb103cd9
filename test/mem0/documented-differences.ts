/**
 * Every difference test/mem0/side-by-side.test.ts finds between mem0ai/oss 3.3.1 and engram's
 * façade over its sequence (test/mem0/mem0-sequence.ts), in the order found, each with its cause.
 * docs/mem0-compatibility.md ("What the side-by-side test finds") lists the same lines: a change
 * to either is a change to both. `=x` is a value, a bare word a type, `-` a path that is absent.
 */

const CAUSES = {
  noDuplicates:
    'engram keeps one active memory per text and scope: a re-add of known text answers NONE with the existing id (mem0 stores a duplicate, or skips it silently when inferring).',
  updatedAt:
    'updatedAt is always set (equal to createdAt until the first change); mem0 leaves it out on memories added with infer: false.',
  explain:
    "score_details is engram's own breakdown (vector, keyword, recency, importance, weights, score): another ranking, so mem0's fields would not mean the same.",
  metadataNull: 'update metadata merges and a key set to null is removed (mem0 stores the null).',
  deleteHistory:
    "history keeps when a delete happened: created_at is the memory's creation and updated_at the delete (mem0 writes null for both).",
  reconcile:
    'inferred adds are reconciled with what the scope already holds: a changed fact UPDATEs its memory (with previousMemory and a history row) instead of adding a second, contradicting one.',
  timestamp:
    "timestamp is engram's eventTime (world time): memories are dated when the conversation happened. mem0ai/oss refuses it.",
  rerank:
    'engram has no reranker: rerank: true is refused by name (mem0 ignores it without a reranker configured).',
} as const;

export const DOCUMENTED_DIFFERENCES: readonly { difference: string; why: string }[] = [
  [
    'add raw again, scope in filters | results[].metadata.event: mem0 ="ADD"; engram ="NONE"',
    CAUSES.noDuplicates,
  ],
  [
    'getAll raw | results[].memory: mem0 ="I live in Berlin." | ="I live in Berlin." | ="Nice city."; engram ="I live in Berlin." | ="Nice city."',
    CAUSES.noDuplicates,
  ],
  ['getAll raw | results[].updatedAt: mem0 -; engram string', CAUSES.updatedAt],
  ['search raw | results[].updatedAt: mem0 -; engram string', CAUSES.updatedAt],
  [
    'search explain | results[].score_details: mem0 object{bm25Score,entityBoost,finalScore,maxPossibleScore,rawScore,semanticScore,threshold}; engram object{importance,keyword,recency,relevance,score,vector,weights}',
    CAUSES.explain,
  ],
  ['search explain | results[].updatedAt: mem0 -; engram string', CAUSES.updatedAt],
  ['get | updatedAt: mem0 -; engram string', CAUSES.updatedAt],
  ['get after updates | metadata.topic: mem0 null; engram -', CAUSES.metadataNull],
  ['history after delete | [].created_at: mem0 null | string; engram string', CAUSES.deleteHistory],
  ['history after delete | [].updated_at: mem0 null; engram null | string', CAUSES.deleteHistory],
  [
    'add infer, one fact known | results[].memory: mem0 ="User likes chess"; engram ="User likes chess" | ="User works at Acme"',
    CAUSES.noDuplicates,
  ],
  [
    'add infer, one fact known | results[].metadata.event: mem0 ="ADD"; engram ="ADD" | ="NONE"',
    CAUSES.noDuplicates,
  ],
  ['add infer, a fact changed | results[].metadata.event: mem0 ="ADD"; engram ="UPDATE"', CAUSES.reconcile],
  [
    'add infer, a fact changed | results[].metadata.previousMemory: mem0 -; engram ="User works at Acme"',
    CAUSES.reconcile,
  ],
  [
    'getAll infer | results[].memory: mem0 ="User likes chess" | ="User likes hiking" | ="User works at Acme" | ="User works at Globex"; engram ="User likes chess" | ="User likes hiking" | ="User works at Globex"',
    CAUSES.reconcile,
  ],
  ['history infer | [].action: mem0 ="ADD"; engram ="ADD" | ="UPDATE"', CAUSES.reconcile],
  ['history infer | [].is_deleted: mem0 =0; engram =0 | =0', CAUSES.reconcile],
  [
    'history infer | [].new_value: mem0 ="User works at Acme"; engram ="User works at Acme" | ="User works at Globex"',
    CAUSES.reconcile,
  ],
  ['history infer | [].previous_value: mem0 =null; engram ="User works at Acme" | =null', CAUSES.reconcile],
  ['history infer | [].updated_at: mem0 null; engram null | string', CAUSES.reconcile],
  ['getAll showExpired | results[].updatedAt: mem0 -; engram string', CAUSES.updatedAt],
  ['add timestamp | (outcome): mem0 throws; engram returns', CAUSES.timestamp],
  ['search rerank | (outcome): mem0 returns; engram throws', CAUSES.rerank],
].map(([difference, why]) => ({ difference: difference!, why: why! }));
