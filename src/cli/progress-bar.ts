import type { CliContext } from './cli-context.js';

const WIDTH = 30;

/**
 * A progress bar on stderr when it is a terminal (redrawn in place, with rate and time left),
 * and a line every `everyMs` otherwise, so logs stay readable. stdout is never touched.
 */
export class ProgressBar {
  readonly #context: CliContext;
  readonly #label: string;
  readonly #tty: boolean;
  readonly #everyMs: number;
  readonly #started = performance.now();
  #last = 0;

  constructor(context: CliContext, label: string, options: { tty?: boolean; everyMs?: number } = {}) {
    this.#context = context;
    this.#label = label;
    this.#tty = options.tty ?? process.stderr.isTTY === true;
    this.#everyMs = options.everyMs ?? 5000;
  }

  update(done: number, total: number): void {
    const now = performance.now();
    if (!this.#tty && now - this.#last < this.#everyMs && done < total) return;
    this.#last = now;
    const line = this.#line(done, total);
    this.#context.io.stderr(this.#tty ? `\r\u001b[2K${line}` : `engram: ${line}\n`);
  }

  /** Ends the bar with a final line. */
  finish(text: string): void {
    this.#context.io.stderr(this.#tty ? `\r\u001b[2K${text}\n` : `engram: ${text}\n`);
  }

  #line(done: number, total: number): string {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * WIDTH);
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = rate > 0 && total > done ? `, ${formatSeconds((total - done) / rate)} left` : '';
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
    return `${this.#label} ${bar} ${done}/${total} (${Math.round(share * 100)}%, ${Math.round(rate)}/s${left})`;
  }
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
