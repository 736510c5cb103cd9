import { HttpError } from './http-error.js';

/**
 * 501 for a known mem0 route engram leaves out, naming what was called (the MemoryClient method
 * or the route) and why, so a mem0 user learns it is missing rather than misspelt (404).
 */
export function notImplemented(name: string, route: string, why: string): HttpError {
  return new HttpError(501, 'not_implemented', `${name} (${route}) is not implemented by engram: ${why}.`, {
    details: { method: name, route },
  });
}
