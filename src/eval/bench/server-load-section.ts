export interface ServerLoadFigures {
  memories: number;
  concurrency: number;
  durationMs: number;
  searchesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
  queuedAdds: number;
  drainMs: number;
  lost: number;
}

export type ServerLoadSection =
  | { measured: true; figures: ServerLoadFigures }
  | { measured: false; reason: string };

const FIELDS = [
  'searchesPerSecond',
  'p50Ms',
  'p95Ms',
  'errors',
  'queuedAdds',
  'drainMs',
  'lost',
] as const satisfies readonly (keyof ServerLoadFigures)[];

/**
 * Server throughput via `runServerLoad` from server-load.ts, which a colleague owns. It is loaded
 * by URL at run time so this suite builds and runs whether or not that file exists yet; a missing
 * module, a missing export or a result without the agreed fields becomes the reported reason.
 */
export async function measureServerLoad(
  options: { memories: number; durationMs: number; concurrency: number; queuedAdds: number },
  log: (line: string) => void,
): Promise<ServerLoadSection> {
  let mod: { runServerLoad?: unknown };
  try {
    mod = (await import(new URL('./server-load.js', import.meta.url).href)) as { runServerLoad?: unknown };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { measured: false, reason: `server-load.js could not be loaded (${why})` };
  }
  if (typeof mod.runServerLoad !== 'function') {
    return { measured: false, reason: 'server-load.js does not export runServerLoad' };
  }
  log(
    `server: ${options.concurrency} clients for ${options.durationMs / 1000} s over ` +
      `${options.memories.toLocaleString('en')} memories, then ${options.queuedAdds} queued adds`,
  );
  let result: Record<string, unknown>;
  try {
    result = (await mod.runServerLoad(options)) as Record<string, unknown>;
  } catch (error) {
    return {
      measured: false,
      reason: `runServerLoad failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const missing = FIELDS.filter((f) => typeof result[f] !== 'number');
  if (missing.length > 0) {
    return { measured: false, reason: `runServerLoad returned no ${missing.join(', ')}` };
  }
  const figures = { ...options } as ServerLoadFigures;
  for (const f of FIELDS) figures[f] = result[f] as number;
  return { measured: true, figures };
}
