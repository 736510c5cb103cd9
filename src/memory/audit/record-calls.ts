import type { AuditChannel } from '../../spec/audit-log.js';
import { AUDITED_CALLS, type CallSpec, type CallTable, type ScopeIds } from './audit-operations.js';
import type { MemoryAudit } from './memory-audit.js';

/** Who is calling, as the audit log names them (docs/security.md). */
export interface AuditCaller {
  channel: AuditChannel;
  /** The API key's id; null for local callers and `--no-auth`. */
  keyId: string | null;
  actor: string | null;
  /** A pinned key's pin: its ids are the scope of every call it makes. */
  pin?: { userId: string | null; agentId: string | null };
}

/**
 * `target` (a ScopedMemory, or the CLI's Memory) with every call named in the table recorded to
 * the audit log: one entry per call from the front end, with its outcome. Calls the target makes
 * on itself run on the target, not on this wrapper, so a pin check's internal `get` is not a
 * second entry. When `audit` does not want the call's kind (config.audit), the call runs untouched.
 */
export function recordCalls<T extends object>(
  target: T,
  audit: MemoryAudit,
  caller: AuditCaller,
  table: CallTable = AUDITED_CALLS,
): T {
  return new Proxy(target, {
    get(object, property) {
      // The target as receiver: its getters and methods use private fields the proxy lacks.
      const value: unknown = Reflect.get(object, property, object);
      const spec =
        typeof property === 'string' && Object.hasOwn(table, property) ? table[property] : undefined;
      if (typeof value === 'function') {
        const method = value as (...args: unknown[]) => unknown;
        if (spec === undefined || !isSpec(spec)) return method.bind(object);
        return (...args: unknown[]) => recorded(spec, args, () => method.apply(object, args), audit, caller);
      }
      if (spec !== undefined && !isSpec(spec) && typeof value === 'object' && value !== null) {
        return recordCalls(value, audit, caller, spec);
      }
      return value;
    },
  });
}

function isSpec(entry: CallSpec | CallTable): entry is CallSpec {
  return typeof entry.operation === 'string' && (entry.kind === 'read' || entry.kind === 'write');
}

function recorded(
  spec: CallSpec,
  args: unknown[],
  call: () => unknown,
  audit: MemoryAudit,
  caller: AuditCaller,
): unknown {
  if (!audit.wants(spec.kind)) return call();
  const done = (result: unknown, outcome: string) =>
    audit.record(entryOf(spec, args, result, outcome, caller));
  let out: unknown;
  try {
    out = call();
  } catch (error) {
    done(undefined, outcomeOf(error));
    throw error;
  }
  if (out instanceof Promise) {
    return out.then(
      (result: unknown) => {
        done(result, 'ok');
        return result;
      },
      (error: unknown) => {
        done(undefined, outcomeOf(error));
        throw error;
      },
    );
  }
  done(out, 'ok');
  return out;
}

function entryOf(spec: CallSpec, args: unknown[], result: unknown, outcome: string, caller: AuditCaller) {
  // What the table cannot read (an answer of an unexpected shape) is left out, never a failed call.
  const safely = <R>(read: (() => R) | undefined, fallback: R): R => {
    try {
      return read ? read() : fallback;
    } catch {
      return fallback;
    }
  };
  const asked: Partial<ScopeIds> = safely(spec.scope && (() => spec.scope?.(args) ?? {}), {});
  const pin = caller.pin;
  const tenant = safely(spec.tenant && (() => spec.tenant?.(args, result) ?? null), null);
  return {
    ...(tenant === null ? {} : { tenant }),
    keyId: caller.keyId,
    actor: caller.actor,
    channel: caller.channel,
    operation: spec.operation,
    userId: pin?.userId ?? asked.userId ?? null,
    agentId: pin?.agentId ?? asked.agentId ?? null,
    runId: asked.runId ?? null,
    targetIds:
      outcome === 'ok'
        ? safely(spec.targets && (() => spec.targets?.(args, result) ?? []), [])
        : failedTargets(spec, args),
    counts:
      outcome === 'ok' ? safely(spec.counts && (() => spec.counts?.(args, result) ?? null), null) : null,
    outcome,
  };
}

/** A failed call has no answer: its targets are the ids it was given. */
function failedTargets(spec: CallSpec, args: unknown[]): string[] {
  try {
    return spec.targets?.(args, undefined) ?? [];
  } catch {
    return [];
  }
}

function outcomeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(code) ? code : 'internal_error';
}
