import type { PgQuery } from './pg-connection.js';

/** As the SQLite store: a word in more than this share of all versions (and this many) is skipped. */
const COMMON_TERM_SHARE = 0.05;
const COMMON_TERM_MIN_DOCS = 2000;
const REFRESH_MS = 60_000;

interface Frequencies {
  /** Share of versions holding each lexeme, for the lexemes ANALYZE found most common. */
  share: Map<string, number>;
  documents: number;
  at: number;
}

/**
 * Which query words are worth matching: words found in a large share of all memories add almost
 * nothing to the ranking and make PostgreSQL rank most of the table, so they are dropped when
 * rarer ones remain — the rule the SQLite store applies with FTS5's vocabulary. The frequencies
 * come from the planner's statistics (`pg_stats.most_common_elems` of the tsvector column, kept
 * by ANALYZE and autovacuum), re-read at most once a minute; before the first ANALYZE nothing
 * is dropped.
 */
export class CommonTerms {
  readonly #schema: string;
  #frequencies: Frequencies | undefined;

  constructor(schema: string) {
    this.#schema = schema;
  }

  async keep(q: PgQuery, terms: string[]): Promise<string[]> {
    const frequencies = await this.#load(q);
    if (frequencies.share.size === 0 || terms.length < 2) return terms;
    const tooCommon = Math.max(COMMON_TERM_MIN_DOCS, frequencies.documents * COMMON_TERM_SHARE);
    const lexemes = await q.rows<{ term: string; lexemes: string[] }>(
      `SELECT term, tsvector_to_array(to_tsvector(engram_text_config(), term)) AS lexemes
       FROM unnest($1::text[]) AS term`,
      [terms],
    );
    const kept = lexemes
      .filter((row) =>
        row.lexemes.every(
          (lexeme) => (frequencies.share.get(lexeme) ?? 0) * frequencies.documents <= tooCommon,
        ),
      )
      .map((row) => row.term);
    return kept.length > 0 ? kept : terms;
  }

  async #load(q: PgQuery): Promise<Frequencies> {
    const now = Date.now();
    if (this.#frequencies && now - this.#frequencies.at < REFRESH_MS) return this.#frequencies;
    const row = await q.one<{ elems: string[] | null; freqs: number[] | null; documents: number | null }>(
      `SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs,
         (SELECT reltuples FROM pg_class WHERE oid = to_regclass('memory_versions'))::float8 AS documents
       FROM (SELECT 1) AS one
       LEFT JOIN pg_stats s ON s.schemaname = $1 AND s.tablename = 'memory_versions' AND s.attname = 'tsv'`,
      [this.#schema],
    );
    const share = new Map<string, number>();
    // most_common_elem_freqs has one share per element, then min, max and the null share.
    for (const [i, elem] of (row?.elems ?? []).entries()) share.set(elem, row?.freqs?.[i] ?? 0);
    this.#frequencies = { share, documents: Math.max(0, row?.documents ?? 0), at: now };
    return this.#frequencies;
  }
}
