import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Memory, type MemoryDeps } from '../../src/memory/memory.js';
import type { ChatModel, ChatRequest } from '../../src/spec/chat-model.js';
import type { Embedder } from '../../src/spec/embedder.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { fakeEmbedding } from '../support/fake-embedding.js';

/** A bag-of-words embedder whose calls take `delayMs(texts)` and are recorded. */
export function delayedEmbedder(delayMs: (texts: string[]) => number = () => 0): Embedder & {
  calls: string[][];
} {
  const calls: string[][] = [];
  return {
    id: 'fake:delayed',
    maxEmbeddingsPerCall: 64,
    dimensions: 64,
    calls,
    embed: async (texts) => {
      calls.push(texts);
      await new Promise((resolve) => setTimeout(resolve, delayMs(texts)));
      return { embeddings: texts.map((t) => fakeEmbedding(t)) };
    },
  };
}

/** The lines of one section of a prompt ("NEW MESSAGES:"), up to the next blank line. */
export function section(prompt: string, heading: string): string[] {
  const start = prompt.indexOf(`${heading}\n`);
  if (start < 0) return [];
  const rest = prompt.slice(start + heading.length + 1);
  const end = rest.indexOf('\n\n');
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((line) => line.trim() !== '');
}

/**
 * A chat model that extracts one fact per user line of NEW MESSAGES ("Fact: <content>"), with
 * the number of the message group it stood under as `source` when the prompt groups them, and
 * ADDs every fact on reconcile. It records every prompt; `down` makes it unreachable, and
 * `badSources` makes that many extraction replies name groups that do not exist.
 */
export function factPerLineModel(): ChatModel & { prompts: string[]; down: boolean; badSources: number } {
  const model = {
    id: 'fake:fact-per-line',
    prompts: [] as string[],
    down: false,
    badSources: 0,
    async complete(request: ChatRequest) {
      const prompt = request.messages.map((m) => m.content).join('\n');
      model.prompts.push(prompt);
      if (model.down) {
        throw new MemoryError('llm_unreachable', 'The fake LLM is down.', { isRetryable: true });
      }
      const properties =
        (request.schema?.schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      let text = '{}';
      if ('facts' in properties) {
        const shift = model.badSources > 0 ? 10 : 0;
        if (shift > 0) model.badSources--;
        const facts: {
          text: string;
          importance: number;
          category: string;
          event_date: null;
          source?: number;
        }[] = [];
        let group: number | undefined;
        for (const line of section(prompt, 'NEW MESSAGES:')) {
          const header = /^Group (\d+)/.exec(line);
          if (header) group = Number(header[1]);
          const said = /^(?:\S+ \()?user\)?: (.*)$/.exec(line);
          if (said) {
            facts.push({
              text: `Fact: ${said[1]}`,
              importance: 0.7,
              category: 'other',
              event_date: null,
              ...(group === undefined ? {} : { source: group + shift }),
            });
          }
        }
        text = JSON.stringify({
          facts,
          ...('operations' in properties
            ? { operations: facts.map((_, fact) => ({ event: 'ADD', fact })) }
            : {}),
        });
      } else if ('operations' in properties) {
        const count = section(prompt, 'NEW FACTS:').length;
        text = JSON.stringify({
          operations: Array.from({ length: count }, (_, fact) => ({ event: 'ADD', fact })),
        });
      }
      return { text, usage: { inputTokens: 10, outputTokens: 10, reported: true }, model: 'fake' };
    },
  };
  return model;
}

export interface EngineFixture {
  memory: Memory;
  close(): Promise<void>;
}

/** A Memory on a temp SQLite file with in-process fakes (no network). */
export function engineFixture(deps: MemoryDeps = {}, config: Record<string, unknown> = {}): EngineFixture {
  const dir = mkdtempSync(join(tmpdir(), 'engram-engine-'));
  const memory = new Memory(
    { dbPath: join(dir, 'engram.db'), embedder: null, llm: null, ...config },
    { env: {}, cwd: dir, ...deps },
  );
  return {
    memory,
    close: async () => {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
