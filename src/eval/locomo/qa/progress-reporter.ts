/** "questions 120/1540 (7.8%), 2 with errors, ETA 14m05s": the rate counts only questions that did work. */
export function progressReporter(total: number, onProgress: ((line: string) => void) | undefined) {
  const started = performance.now();
  let done = 0;
  let worked = 0;
  let failed = 0;
  let lastPrinted = 0;
  return (didWork: boolean, hasError: boolean) => {
    done++;
    if (didWork) worked++;
    if (hasError) failed++;
    const now = performance.now();
    if (!onProgress || (now - lastPrinted < 1000 && done < total)) return;
    lastPrinted = now;
    const perQuestion = worked === 0 ? 0 : (now - started) / worked;
    const eta = formatDuration(perQuestion * (total - done));
    const errors = failed > 0 ? `, ${failed} with errors` : '';
    onProgress(`questions ${done}/${total} (${((100 * done) / total).toFixed(1)}%)${errors}, ETA ${eta}`);
  };
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
