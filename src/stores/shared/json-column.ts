/** JSON columns arrive as text (SQLite) or already parsed (PostgreSQL jsonb); both map the same. */
export function jsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
