export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One JSON object per line, so log shippers need no parser configuration. */
export class JsonLogger {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stdout.write(line)) {
    this.#write = write;
  }

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    this.#write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }
}

export const silentLogger = new JsonLogger(() => undefined);
