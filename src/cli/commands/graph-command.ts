import type { Command } from 'commander';
import type { EntityItem, RelationDetail } from '../../memory/graph/graph-items.js';
import { MemoryError } from '../../spec/memory-error.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { formatInterval, toDot } from '../graph-dot.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines } from '../output.js';
import { parseIntegerFlag } from '../parse-flags.js';
import { readScope, withScopeOptions } from './scope-options.js';

/** What the command shows (and --json prints): a scope's graph, or one entity's neighbourhood. */
interface GraphView {
  /** The entity walked from (--entity); `entities` are then its neighbours, with their hops. */
  entity?: EntityItem;
  entities: EntityItem[];
  relations: RelationDetail[];
}

export const graphCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program
      .command('graph')
      .description(
        "show a scope's temporal graph: relations between entities, or one entity's neighbourhood",
      ),
  )
    .option('--entity <name>', "only this entity's neighbourhood (its name, an alias or its id)")
    .option('--depth <n>', 'with --entity: hops to walk, 1 or 2 (default 1)')
    .option('--as-of <iso>', 'the relations that held at this time (ISO 8601)')
    .option('--known-at <iso>', 'as engram knew it at this time (ISO 8601)')
    .option('--limit <n>', 'most relations to show, 1 to 1000 (default 100; without --entity)')
    .option('--dot', 'print Graphviz DOT (render with `dot -Tsvg`)')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      if (options.dot === true && globals.json) {
        throw new MemoryError('invalid_input', '--dot and --json both choose the output; give one of them.', {
          details: { flags: ['--dot', '--json'] },
        });
      }
      const entity = typeof options.entity === 'string' ? options.entity : undefined;
      const depth = parseIntegerFlag(options.depth as string | undefined, '--depth', { min: 1, max: 2 });
      const limit = parseIntegerFlag(options.limit as string | undefined, '--limit', { min: 1, max: 1000 });
      if (entity === undefined && depth !== undefined) {
        throw new MemoryError('invalid_input', '--depth walks from an entity; give --entity <name> too.', {
          details: { flag: '--depth' },
        });
      }
      if (entity !== undefined && limit !== undefined) {
        throw new MemoryError(
          'invalid_input',
          '--limit applies to the whole scope; leave it out with --entity (--depth bounds a neighbourhood).',
          { details: { flag: '--limit' } },
        );
      }
      const scope = readScope(options);
      const times = {
        ...(typeof options.asOf === 'string' ? { asOf: options.asOf } : {}),
        ...(typeof options.knownAt === 'string' ? { knownAt: options.knownAt } : {}),
      };
      const view = await withMemory(globals, context, async (memory): Promise<GraphView> => {
        if (entity !== undefined) {
          return memory.graph.neighbors(entity, {
            ...scope,
            ...times,
            ...(depth === undefined ? {} : { depth }),
          });
        }
        const [entities, relations] = await Promise.all([
          memory.graph.entities(scope),
          memory.graph.relations({ ...scope, ...times, ...(limit === undefined ? {} : { limit }) }),
        ]);
        return { entities: entities.results, relations: relations.results };
      });
      if (globals.json) return printJson(context, view);
      if (options.dot === true) {
        const drawn = view.entity === undefined ? view.entities : [view.entity, ...view.entities];
        context.io.stdout(toDot(drawn, view.relations, { focus: view.entity?.id }));
        return;
      }
      printGraph(context, view);
    });
};

function printGraph(context: CliContext, view: GraphView): void {
  const lines = view.relations.map(
    (r) => `${r.source} —${r.relationship}→ ${r.destination}  (${formatInterval(r)})`,
  );
  if (lines.length === 0) lines.push('No relations found.');
  const entities = plural(view.entities.length, 'entity', 'entities');
  const relations = plural(view.relations.length, 'relation', 'relations');
  lines.push(
    view.entity === undefined
      ? `${entities}, ${relations}.`
      : `${view.entity.name} (${view.entity.type}): ${plural(view.entities.length, 'neighbour', 'neighbours')}, ${relations}.`,
  );
  printLines(context, lines);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
