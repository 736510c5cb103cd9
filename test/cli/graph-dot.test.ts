import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type DotEntity, type DotRelation, formatInterval, toDot } from '../../src/cli/graph-dot.js';
import { MISSING_DOT, renderSvg, svgTexts } from '../support/graphviz.js';

const JAN = '2024-01-10T00:00:00.000Z';
const MAR = '2024-03-05T00:00:00.000Z';

const ent = (id: string, name: string, type: string): DotEntity => ({ id, name, type });
const rel = (
  source: DotEntity,
  relationship: string,
  destination: DotEntity,
  validFrom: string | null = null,
  validTo: string | null = null,
): DotRelation => ({
  source_id: source.id,
  source: source.name,
  relationship,
  destination_id: destination.id,
  destination: destination.name,
  valid_from: validFrom,
  valid_to: validTo,
});

describe('toDot', () => {
  it('needs Graphviz installed (CI installs it in .ci/run)', () => {
    const run = spawnSync('dot', ['-V'], { encoding: 'utf8' });
    expect(run.error, MISSING_DOT).toBeUndefined();
  });

  it('draws one node per entity, shaped by type, and one edge per relation', () => {
    const amy = ent('e1', 'Amy', 'person');
    const boston = ent('e2', 'Boston', 'place');
    const acme = ent('e3', 'Acme', 'organisation');
    const rex = ent('e4', 'Rex', 'thing');
    const dot = toDot(
      [amy, boston, acme, rex],
      [rel(amy, 'lives_in', boston, JAN, MAR), rel(amy, 'works_at', acme, JAN), rel(amy, 'owns', rex)],
    );
    expect(dot).toBe(
      [
        'digraph "engram" {',
        '  rankdir=LR;',
        '  "e1" [label="Amy", shape=ellipse];',
        '  "e2" [label="Boston", shape=house];',
        '  "e3" [label="Acme", shape=box];',
        '  "e4" [label="Rex", shape=plain];',
        '  "e1" -> "e2" [label="lives_in\\n2024-01-10 … 2024-03-05"];',
        '  "e1" -> "e3" [label="works_at"];',
        '  "e1" -> "e4" [label="owns"];',
        '}',
        '',
      ].join('\n'),
    );
    const texts = svgTexts(renderSvg(dot));
    expect(texts).toEqual(
      expect.arrayContaining(['Amy', 'Boston', 'Acme', 'Rex', 'lives_in', '2024-01-10 … 2024-03-05', 'owns']),
    );
  });

  it('quotes and escapes every name and label: quotes, backslashes, newlines, \\N, unicode', () => {
    const quoted = ent('id "1"', 'Dwayne "The Rock" Johnson', 'person');
    const path = ent('C:\\x\\', 'C:\\Users\\amy\\', 'place');
    const lines = ent('multi\nline', 'Line one\nLine two\r\nLine three', 'organisation');
    const unicode = ent('zoë', 'Zoë Ærøskøbing 北京 🐕', 'place');
    const escapes = ent('esc', 'keeps \\N and \\n and \\l as text', 'thing');
    const dot = toDot(
      [quoted, path, lines, unicode, escapes],
      [
        rel(quoted, 'said "hi" to', path, JAN, MAR),
        rel(lines, 'back\\slash', unicode),
        rel(unicode, 'ends with \\', escapes, null, MAR),
      ],
      { name: 'the "graph"', focus: unicode.id },
    );
    // Non-ASCII is written as it is (UTF-8), never as escapes.
    expect(dot).toContain('Zoë Ærøskøbing 北京 🐕');
    const texts = svgTexts(renderSvg(dot));
    expect(texts).toEqual(
      expect.arrayContaining([
        'Dwayne "The Rock" Johnson',
        'C:\\Users\\amy\\',
        'Line one',
        'Line two',
        'Line three',
        'Zoë Ærøskøbing 北京 🐕',
        'keeps \\N and \\n and \\l as text',
        'said "hi" to',
        '2024-01-10 … 2024-03-05',
        'back\\slash',
        'ends with \\',
        '? … 2024-03-05',
      ]),
    );
  });

  it('draws an end a relation names but the entity list lacks, once', () => {
    const amy = ent('e1', 'Amy', 'person');
    const ghost = ent('e9', 'Ghost', 'person');
    const dot = toDot([amy], [rel(amy, 'knows', ghost), rel(ghost, 'knows', amy)]);
    expect(dot.match(/^ {2}"e9" \[/gm)).toHaveLength(1);
    expect(svgTexts(renderSvg(dot))).toContain('Ghost');
  });

  it('draws an empty graph', () => {
    expect(svgTexts(renderSvg(toDot([], [])))).toEqual([]);
  });
});

describe('formatInterval', () => {
  it('shows days for midnight instants, minutes otherwise, ? and now for open ends', () => {
    expect(formatInterval({ valid_from: JAN, valid_to: null })).toBe('2024-01-10 … now');
    expect(formatInterval({ valid_from: null, valid_to: MAR })).toBe('? … 2024-03-05');
    expect(formatInterval({ valid_from: '2024-01-10T09:30:12.345Z', valid_to: MAR })).toBe(
      '2024-01-10 09:30Z … 2024-03-05',
    );
  });
});
