/**
 * Compares two results by shape: every path (array positions written `[]`) with the types found
 * there, `absent` where an array's objects do not all have the key, and the values themselves
 * for the keys whose values are part of the contract (events, messages, texts).
 */

export interface ShapeOptions {
  /** Keys compared by value (a sorted multiset over array elements), not only by type. */
  valueKeys: ReadonlySet<string>;
  /** Keys whose object content is summarised by its key names only. */
  opaqueKeys: ReadonlySet<string>;
}

type Flat = Map<string, string[]>;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'array(empty)' : 'array';
  return typeof value;
}

function record(flat: Flat, path: string, descriptor: string): void {
  const list = flat.get(path) ?? [];
  list.push(descriptor);
  flat.set(path, list);
}

function walk(value: unknown, path: string, key: string, flat: Flat, options: ShapeOptions): void {
  if (value === undefined) return;
  if (options.valueKeys.has(key) && (value === null || typeof value !== 'object')) {
    record(flat, path, `=${JSON.stringify(value)}`);
    return;
  }
  if (options.opaqueKeys.has(key) && value !== null && typeof value === 'object') {
    record(flat, path, `object{${Object.keys(value).sort().join(',')}}`);
    return;
  }
  record(flat, path, typeName(value));
  if (Array.isArray(value)) {
    const objects = value.filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    const keys = new Set(objects.flatMap((o) => Object.keys(o).filter((k) => o[k] !== undefined)));
    for (const element of value) {
      walk(element, `${path}[]`, key, flat, options);
      if (objects.includes(element)) {
        for (const k of keys) {
          if ((element as Record<string, unknown>)[k] === undefined) record(flat, `${path}[].${k}`, 'absent');
        }
      }
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`, k, flat, options);
  }
}

/** Each path's descriptors: a sorted multiset for value keys, a sorted set for types. */
export function shapeOf(value: unknown, options: ShapeOptions): Map<string, string> {
  const flat: Flat = new Map();
  walk(value, '', '', flat, options);
  const out = new Map<string, string>();
  for (const [path, list] of flat) {
    const values = list.some((d) => d.startsWith('='));
    out.set(path, (values ? [...list].sort() : [...new Set(list)].sort()).join(' | '));
  }
  return out;
}

/** One line per path whose descriptors differ: `<path>: mem0 <…>; engram <…>` (`-`: no such path). */
export function shapeDifferences(mem0: unknown, engram: unknown, options: ShapeOptions): string[] {
  const a = shapeOf(mem0, options);
  const b = shapeOf(engram, options);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => a.get(path) !== b.get(path))
    .map((path) => `${path || '(result)'}: mem0 ${a.get(path) ?? '-'}; engram ${b.get(path) ?? '-'}`);
}
