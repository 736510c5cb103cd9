import { MemoryError } from '../../spec/memory-error.js';

/**
 * Listing cursors: an opaque token holding the position (a store's row sequence) after which the
 * next page starts. Both backends page on a monotonically increasing integer, newest first.
 */
export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ s: position })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof parsed.s === 'number' && Number.isInteger(parsed.s)) return parsed.s;
  } catch {
    // fall through to the error below
  }
  throw new MemoryError(
    'invalid_input',
    `The cursor "${cursor}" is not one engram issued; pass next_cursor unchanged.`,
  );
}
