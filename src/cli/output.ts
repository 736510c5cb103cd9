import type { MemoryItem } from '../memory/api-types.js';
import type { CliContext } from './cli-context.js';

/** Widest memory text shown in a table cell; `get` and `--json` show the full text. */
export const MEMORY_COLUMN_WIDTH = 60;

/** `--json` output: exactly one document on stdout. */
export function printJson(context: CliContext, value: unknown): void {
  context.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(context: CliContext, lines: string[]): void {
  if (lines.length > 0) context.io.stdout(`${lines.join('\n')}\n`);
}

/** A note that is not the command's result (degraded search, progress): stderr, so stdout stays clean. */
export function printNote(context: CliContext, text: string): void {
  context.io.stderr(`engram: ${text}\n`);
}

/** One line, at most `width` characters, with an ellipsis when cut. */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= width ? flat : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Columns padded to their widest cell; the last column is not padded, so lines carry no trailing spaces. */
export function renderTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, i) =>
    Math.max(Array.from(header).length, ...rows.map((row) => Array.from(row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - Array.from(cell).length),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** The detail view of one memory (get, update). */
export function memoryDetail(item: MemoryItem): string[] {
  const scope = [
    item.user_id === null ? null : `user=${item.user_id}`,
    item.agent_id === null ? null : `agent=${item.agent_id}`,
    item.run_id === null ? null : `run=${item.run_id}`,
  ].filter((part) => part !== null);
  const lines = [
    `id:         ${item.id}`,
    `memory:     ${item.memory}`,
    `scope:      ${scope.join(' ')}`,
    `state:      ${item.state}`,
    `type:       ${item.memory_type}`,
    `importance: ${item.importance}`,
    `version:    ${item.version}`,
    `valid:      ${item.valid_from} → ${item.valid_to ?? 'now'}`,
    `recorded:   ${item.recorded_at} → ${item.expired_at ?? 'now'}`,
    `created:    ${item.created_at}`,
    `updated:    ${item.updated_at}`,
  ];
  if (Object.keys(item.metadata).length > 0) lines.push(`metadata:   ${JSON.stringify(item.metadata)}`);
  if (item.categories.length > 0) lines.push(`categories: ${item.categories.join(', ')}`);
  return lines;
}

export function formatScore(score: number | undefined): string {
  return score === undefined ? '' : score.toFixed(3);
}
