import { spawnSync } from 'node:child_process';

export const MISSING_DOT =
  "Graphviz's `dot` is not installed, and the DOT tests render with it: install it (apt-get install -y graphviz, brew install graphviz); .ci/run installs it in CI.";

/** `dot -Tsvg` with the DOT text on stdin; a missing `dot` is one clear sentence, not ENOENT. */
export function renderSvg(dot: string): string {
  const run = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', timeout: 30_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(MISSING_DOT);
  if (run.error) throw run.error;
  if (run.status !== 0 || run.stderr.trim() !== '') {
    throw new Error(`dot -Tsvg failed (exit ${run.status}): ${run.stderr}\n--- input ---\n${dot}`);
  }
  return run.stdout;
}

/** The text an SVG shows: every <text> element's content, XML entities decoded. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
      .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
}
