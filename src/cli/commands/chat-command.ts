import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Memory } from '../../memory/memory.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { renderTable, truncate } from '../output.js';
import { describeError } from '../report-error.js';
import { readScope, withScopeOptions } from './scope-options.js';

const HELP = 'Commands: /memories (what I remember), /forget <id>, /exit';

/** `engram chat --user <id>`: an interactive conversation that remembers. */
export const chatCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program.command('chat').description('chat with an assistant that remembers (needs an LLM)'),
  )
    .option('--token-budget <n>', 'tokens of memories to put in each prompt', '800')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const scope = readScope(options);
      const tokenBudget = Number(options.tokenBudget);
      await withMemory(globals, context, async (memory) => {
        const out = context.io.stdout;
        out(`engram chat — ${HELP}\n`);
        const lines = createInterface({ input: process.stdin, terminal: false });
        out('you> ');
        for await (const raw of lines) {
          const line = raw.trim();
          if (line === '/exit' || line === '/quit') break;
          if (line !== '') await handleLine(memory, line, scope, tokenBudget, out);
          out('you> ');
        }
        // Release the terminal so the process can exit (stdin would keep it alive).
        lines.close();
        process.stdin.destroy();
        out('\n');
      });
    });
};

async function handleLine(
  memory: Memory,
  line: string,
  scope: ReturnType<typeof readScope>,
  tokenBudget: number,
  out: (text: string) => void,
): Promise<void> {
  try {
    if (line === '/memories') {
      const all = await memory.getAll({ ...scope, limit: 100 });
      const rows = all.results.map((m) => [m.id, truncate(m.memory, 70)]);
      out(
        `${rows.length === 0 ? 'Nothing remembered yet.' : renderTable(['ID', 'MEMORY'], rows).join('\n')}\n`,
      );
      return;
    }
    if (line.startsWith('/forget')) {
      const id = line.slice('/forget'.length).trim();
      await memory.delete(id);
      out(`Forgotten ${id}.\n`);
      return;
    }
    if (line.startsWith('/')) {
      out(`${HELP}\n`);
      return;
    }
    out('assistant> ');
    const result = await memory.chat(line, { ...scope, tokenBudget, onToken: (t) => out(t) });
    out('\n');
    const learned = result.remembered.results.filter((r) => r.event !== 'NONE');
    if (learned.length > 0)
      out(`  (remembered: ${learned.map((r) => `${r.event} ${r.memory}`).join('; ')})\n`);
    for (const error of result.remembered.errors ?? [])
      out(`  (not remembered yet — ${error.message}; job ${result.remembered.job_id})\n`);
  } catch (error) {
    out(`\nengram: ${describeError(error)}\n`);
  }
}
