import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryError } from '../../../spec/memory-error.js';

export const CHECKPOINT_FILE = 'checkpoint.jsonl';

/** LLM work spent on one step. */
export interface Spend {
  llm_calls: number;
  input_tokens: number;
  output_tokens: number;
}

/** What fixes the meaning of a run's figures; a resumed run must match it exactly. */
export interface QaSettings {
  data_sha256: string;
  conversations: string[];
  questions_per_conversation: number | null;
  include_adversarial: boolean;
  ingest: 'inferred' | 'raw' | 'both';
  token_budget: number;
  db: string;
  models: {
    ingest: string[];
    extraction_mode: string;
    embedder: string | null;
    answer: string;
    judge: string;
  };
  prompts: { id: string; version: number; role: string }[];
}

export interface SessionEvent {
  type: 'session';
  conversation: string;
  session: number;
  usage: Spend & { embed_calls: number; ms: number };
  /** Upstream failures the add reported (its messages are kept and a job is left). */
  errors: string[];
}

export interface AnswerEvent {
  type: 'answer';
  key: string;
  answer: string;
  context_tokens: number;
  memories: number;
  search_ms: number;
  answer_ms: number;
  usage: Spend;
}

export type JudgeKind = 'lenient' | 'strict';

export interface JudgeEvent {
  type: 'judge';
  key: string;
  kind: JudgeKind;
  correct: boolean;
  reason: string;
  usage: Spend;
}

export interface ErrorEvent {
  type: 'error';
  key: string;
  stage: 'answer' | `judge-${JudgeKind}`;
  message: string;
}

type RunEvent = { type: 'run'; settings: QaSettings; at: string };
type CheckpointEvent = RunEvent | SessionEvent | AnswerEvent | JudgeEvent | ErrorEvent;

/**
 * The run's progress as an append-only JSON-lines file in the output folder: a crash loses at
 * most the line being written, and a rerun with --resume skips every step already recorded.
 * Errors are recorded too, but a failed step is not "done": a resumed run tries it again.
 */
export class QaCheckpoint {
  readonly path: string;
  settings: QaSettings | undefined;
  readonly sessions = new Map<string, SessionEvent>();
  readonly answers = new Map<string, AnswerEvent>();
  readonly judgements = new Map<string, JudgeEvent>();
  readonly errors = new Map<string, ErrorEvent>();
  #writes: Promise<void> = Promise.resolve();

  private constructor(dir: string) {
    this.path = join(dir, CHECKPOINT_FILE);
  }

  /** A fresh checkpoint; refuses a folder that already holds one (that run is resumed, not overwritten). */
  static async create(dir: string, settings: QaSettings): Promise<QaCheckpoint> {
    const checkpoint = new QaCheckpoint(dir);
    if (existsSync(checkpoint.path)) {
      throw new MemoryError(
        'invalid_input',
        `${dir} already holds a LoCoMo run (${CHECKPOINT_FILE}); continue it with --resume ${dir} or pick another --out.`,
      );
    }
    const event: RunEvent = { type: 'run', settings, at: new Date().toISOString() };
    checkpoint.#apply(event);
    await checkpoint.#append(event);
    return checkpoint;
  }

  /** Reads the checkpoint of an earlier run in `dir`. */
  static async open(dir: string): Promise<QaCheckpoint> {
    const checkpoint = new QaCheckpoint(dir);
    if (!existsSync(checkpoint.path)) {
      throw new MemoryError('invalid_input', `--resume: ${dir} has no ${CHECKPOINT_FILE} to resume from.`);
    }
    const lines = (await readFile(checkpoint.path, 'utf8')).split('\n');
    for (const line of lines) {
      if (line.trim() === '') continue;
      let event: CheckpointEvent;
      try {
        event = JSON.parse(line) as CheckpointEvent;
      } catch {
        continue; // the last line of a run that was killed mid-write
      }
      checkpoint.#apply(event);
    }
    if (!checkpoint.settings) {
      throw new MemoryError(
        'invalid_input',
        `--resume: ${checkpoint.path} does not start with the run's settings.`,
      );
    }
    return checkpoint;
  }

  /** Settings from an earlier run in `dir` (the CLI starts a resumed run from them). */
  static async readSettings(dir: string): Promise<QaSettings> {
    return (await QaCheckpoint.open(dir)).settings!;
  }

  isSessionDone(conversation: string, session: number): boolean {
    const event = this.sessions.get(sessionKey(conversation, session));
    return event !== undefined && event.errors.length === 0;
  }

  hasSessions(conversation: string): boolean {
    return [...this.sessions.values()].some((e) => e.conversation === conversation);
  }

  judgement(key: string, kind: JudgeKind): JudgeEvent | undefined {
    return this.judgements.get(`${key}|${kind}`);
  }

  errorsOf(key: string): ErrorEvent[] {
    return [...this.errors.values()].filter((e) => e.key === key);
  }

  record(event: SessionEvent | AnswerEvent | JudgeEvent | ErrorEvent): Promise<void> {
    this.#apply(event);
    return this.#append(event);
  }

  /** Writes are queued so concurrent workers never interleave lines. */
  #append(event: CheckpointEvent): Promise<void> {
    const line = `${JSON.stringify(event)}\n`;
    this.#writes = this.#writes.then(() => appendFile(this.path, line, 'utf8'));
    return this.#writes;
  }

  #apply(event: CheckpointEvent): void {
    switch (event.type) {
      case 'run':
        this.settings = event.settings;
        break;
      case 'session':
        this.sessions.set(sessionKey(event.conversation, event.session), event);
        break;
      case 'answer':
        this.answers.set(event.key, event);
        this.errors.delete(`${event.key}|answer`);
        break;
      case 'judge':
        this.judgements.set(`${event.key}|${event.kind}`, event);
        this.errors.delete(`${event.key}|judge-${event.kind}`);
        break;
      case 'error':
        this.errors.set(`${event.key}|${event.stage}`, event);
        break;
    }
  }
}

function sessionKey(conversation: string, session: number): string {
  return `${conversation}#${session}`;
}

/** Names the settings that differ, for the message that refuses a mismatched resume. */
export function settingsDifferences(a: QaSettings, b: QaSettings): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof QaSettings>;
  return [...keys].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}
