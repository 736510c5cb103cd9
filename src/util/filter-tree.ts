import type { FilterNode, ScopeField } from '../spec/filter.js';

/** The ids a filter pins at its top level (an AND of equalities), used to pick a vector partition. */
export function pinnedScope(node: FilterNode | null): Partial<Record<ScopeField, string>> {
  const pinned: Partial<Record<ScopeField, string>> = {};
  const visit = (n: FilterNode): void => {
    if (n.kind === 'scope') pinned[n.field] ??= n.value;
    else if (n.kind === 'and') n.children.forEach(visit);
  };
  if (node) visit(node);
  return pinned;
}

export function andFilters(...nodes: (FilterNode | null)[]): FilterNode | null {
  const present = nodes.filter((n): n is FilterNode => n !== null);
  if (present.length === 0) return null;
  return present.length === 1 ? present[0]! : { kind: 'and', children: present };
}
