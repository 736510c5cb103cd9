/** The key in `Authorization: Token <key>` (mem0 clients) or `Authorization: Bearer <key>`. */
export function readApiKey(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
