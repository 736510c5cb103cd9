/**
 * The key in `Authorization: Token <key>` (mem0 clients) or `Authorization: Bearer <key>`, else in
 * `X-API-Key: <key>` (mem0's self-hosted server). An Authorization header of another scheme
 * (Basic, from a proxy) does not hide an X-API-Key.
 */
export function readApiKey(authorization: string | undefined, xApiKey?: string | undefined): string | null {
  const match = authorization ? /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(authorization) : null;
  if (match?.[1]) return match[1];
  const key = xApiKey?.trim();
  return key && /^\S+$/.test(key) ? key : null;
}
