import type { EngramConfig } from '../../config/engram-config.js';
import type { FilterNode } from '../../spec/filter.js';
import { expiredByDate } from './expiration.js';

const DAY_MS = 86_400_000;

/** The retention policy's days per scope kind (config.retention); absent: that kind never expires. */
export type RetentionDays = Pick<EngramConfig['retention'], 'runDays' | 'agentDays' | 'userDays'>;

/**
 * The scope kind a memory belongs to, for retention, decided by its ids alone:
 * - run: run_id is set (whatever else is);
 * - agent: no run_id, agent_id set and no user_id (an agent's own memories);
 * - user: no run_id and user_id set (with or without an agent).
 */
export type ScopeKind = 'run' | 'agent' | 'user';

const set = (field: 'user_id' | 'agent_id' | 'run_id'): FilterNode => ({ kind: 'anyScope', field });
const unset = (field: 'user_id' | 'agent_id' | 'run_id'): FilterNode => ({ kind: 'not', child: set(field) });

const KIND_FILTERS: Record<ScopeKind, FilterNode[]> = {
  run: [set('run_id')],
  agent: [unset('run_id'), set('agent_id'), unset('user_id')],
  user: [unset('run_id'), set('user_id')],
};

/**
 * Memories expired by the retention policy at `now`: of a kind with a number of days, last
 * written (updated_at: every write — new text, metadata, importance, invalidation, delete —
 * moves it; a read does not) more than that many days before `now`. Null when no kind has days.
 */
export function retentionExpired(days: RetentionDays, now: string): FilterNode | null {
  const limits: [ScopeKind, number | undefined][] = [
    ['run', days.runDays],
    ['agent', days.agentDays],
    ['user', days.userDays],
  ];
  const branches = limits.flatMap(([kind, n]): FilterNode[] =>
    n === undefined
      ? []
      : [
          {
            kind: 'and',
            children: [
              ...KIND_FILTERS[kind],
              {
                kind: 'field',
                field: 'updated_at',
                op: 'lt',
                value: new Date(Date.parse(now) - n * DAY_MS).toISOString(),
              },
            ],
          },
        ],
  );
  return branches.length === 0 ? null : { kind: 'or', children: branches };
}

/** Memories expired either way: a passed expirationDate, or the retention policy. */
export function expiredFilter(days: RetentionDays, now: string): FilterNode {
  const byDate = expiredByDate(now);
  const byPolicy = retentionExpired(days, now);
  return byPolicy === null ? byDate : { kind: 'or', children: [byDate, byPolicy] };
}
