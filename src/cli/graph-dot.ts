import type { EntityItem, RelationDetail } from '../memory/graph/graph-items.js';

/** What toDot reads of an entity. */
export type DotEntity = Pick<EntityItem, 'id' | 'name' | 'type'>;
/** What toDot reads of a relation. */
export type DotRelation = Pick<
  RelationDetail,
  'source_id' | 'source' | 'relationship' | 'destination_id' | 'destination' | 'valid_from' | 'valid_to'
>;

export interface DotOptions {
  /** The digraph's name (default "engram"). */
  name?: string | undefined;
  /** An entity id drawn bold: the one a neighbourhood was walked from. */
  focus?: string | undefined;
}

const SHAPES = new Map([
  ['person', 'ellipse'],
  ['place', 'house'],
  ['organisation', 'box'],
  ['organization', 'box'],
]);

/**
 * A Graphviz digraph of entities and relations: one node per entity (its id as the node id, its
 * name as the label, the shape by type) and one edge per relation, labelled with the relationship
 * and, when it has ended, its world interval. A relation whose end is not among `entities` still
 * gets a node, so the output always names what it draws. Pure: the same input, the same text.
 */
export function toDot(entities: DotEntity[], relations: DotRelation[], options: DotOptions = {}): string {
  const lines = [`digraph ${quote(options.name ?? 'engram')} {`, '  rankdir=LR;'];
  const drawn = new Set<string>();
  const node = (id: string, name: string, type: string | null) => {
    if (drawn.has(id)) return;
    drawn.add(id);
    const attributes = [`label=${label(name)}`, `shape=${SHAPES.get(type ?? '') ?? 'plain'}`];
    if (id === options.focus) attributes.push('style=bold', 'penwidth=2');
    lines.push(`  ${quote(id)} [${attributes.join(', ')}];`);
  };
  for (const e of entities) node(e.id, e.name, e.type);
  for (const r of relations) {
    node(r.source_id, r.source, null);
    node(r.destination_id, r.destination, null);
  }
  for (const r of relations) {
    const text = r.valid_to === null ? r.relationship : `${r.relationship}\n${formatInterval(r)}`;
    lines.push(`  ${quote(r.source_id)} -> ${quote(r.destination_id)} [label=${label(text)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** "2024-01-10 … 2024-03-05", "2024-03-05 … now", "? … 2024-03-05": a relation's world interval. */
export function formatInterval(r: Pick<DotRelation, 'valid_from' | 'valid_to'>): string {
  return `${r.valid_from === null ? '?' : formatInstant(r.valid_from)} … ${r.valid_to === null ? 'now' : formatInstant(r.valid_to)}`;
}

/** A day when the instant is midnight UTC (what dated facts are), else to the minute. */
function formatInstant(iso: string): string {
  if (/T00:00:00(\.0+)?Z$/.test(iso)) return iso.slice(0, 10);
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

/**
 * A DOT quoted string. Inside quotes DOT treats only \" specially, and labels then read \\ as one
 * backslash and \n, \l, \N, \G... as line breaks and substitutions; so every backslash is doubled
 * (a name's "\N" stays text, and one ending in a backslash cannot escape the closing quote) and
 * every quote escaped. Other characters, non-ASCII included, pass through as UTF-8.
 */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\p{Cc}/gu, ' ')}"`;
}

/** A label: quoted, each line break (\r\n, \n, \r) a centred DOT line break. */
function label(text: string): string {
  const lines = text.split(/\r\n|\n|\r/).map((line) => quote(line).slice(1, -1));
  return `"${lines.join('\\n')}"`;
}
