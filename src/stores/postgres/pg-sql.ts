/** A parameterised SQL fragment written with `?` marks; `numbered` turns them into $1, $2 … */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * Numbers the `?` marks of a statement in order ($1 …), starting after `offset`. engram's
 * PostgreSQL statements never use the jsonb `?` operators, so every `?` is a parameter.
 */
export function numbered(sql: string, offset = 0): string {
  let n = offset;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** pgvector's text form of a vector: "[0.1,0.2,…]". */
export function vectorLiteral(v: Float32Array): string {
  return `[${Array.from(v).join(',')}]`;
}

/** Concatenates raw SQL text and fragments, keeping the parameters in the order of their marks. */
export function cat(...parts: (string | SqlFragment)[]): SqlFragment {
  let sql = '';
  const params: unknown[] = [];
  for (const part of parts) {
    if (typeof part === 'string') sql += part;
    else {
      sql += part.sql;
      params.push(...part.params);
    }
  }
  return { sql, params };
}

/** One parameter, optionally cast ("::jsonb"). */
export function param(value: unknown, cast = ''): SqlFragment {
  return { sql: `?${cast}`, params: [value] };
}
