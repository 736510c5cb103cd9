type JsonSchema = Record<string, unknown>;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch,
  );
}

/** A self-contained, readable page listing every operation of the OpenAPI document (no CDN). */
export function docsPage(doc: JsonSchema): string {
  const paths = (doc.paths ?? {}) as Record<
    string,
    Record<string, { summary?: string; requestBody?: unknown }>
  >;
  const rows = Object.entries(paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? '')}</td></tr>`,
    ),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>engram API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td{padding:.3rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}code{font-size:13px}</style>
</head><body>
<h1>engram API</h1>
<p>Authenticate with <code>Authorization: Token &lt;key&gt;</code> (mem0 clients) or <code>Bearer &lt;key&gt;</code>.
The machine-readable description is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). The mem0 platform routes
(<code>/v1/…</code>, <code>/v3/…</code>) used by the <code>mem0ai</code> MemoryClient and the MCP endpoint <code>/mcp</code> are served as well.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</body></html>`;
}
