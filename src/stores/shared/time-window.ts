import type { TimeWindow } from '../../spec/store.js';

/** A window with both instants fixed, or null for "the current version of active memories". */
export interface ResolvedWindow {
  asOf: string;
  knownAt: string;
}

/**
 * No instant given: the current state (null). Either given: both fixed — asOf defaults to now
 * (what engram believed at knownAt about the present), knownAt defaults to now.
 */
export function resolveWindow(window: TimeWindow | undefined, now: string): ResolvedWindow | null {
  if (!window || (window.asOf === undefined && window.knownAt === undefined)) return null;
  return { asOf: window.asOf ?? now, knownAt: window.knownAt ?? now };
}

/** The later of two ISO instants (a version is never closed before it began). */
export function laterOf(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
