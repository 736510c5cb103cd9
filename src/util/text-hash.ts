import { createHash } from 'node:crypto';

/** mem0 exposes an md5 hex of the memory text as `hash`; engram keeps the same shape. */
export function textHash(text: string): string {
  return createHash('md5').update(text.trim()).digest('hex');
}
