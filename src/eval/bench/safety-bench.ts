import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DETECTOR_VERSION, detectInstructions } from '../../memory/safety/detect-instructions.js';
import { loadSafetyCorpus, measureSafety, type SafetyRates } from './safety-corpus.js';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The report of docs/benchmarks/safety.md. */
export function safetyMarkdown(rates: SafetyRates, command: string, date: string): string {
  const lines = [
    '# Memory-poisoning detector: detection and false positives',
    '',
    `Command: \`${command}\` (run of ${date}, detector version ${DETECTOR_VERSION}).`,
    '',
    'Corpora: `test/fixtures/safety/injections.json` and `test/fixtures/safety/benign.json`, written by hand',
    'for these tests (not taken from another project or data set). The detector was written alongside them,',
    'so these figures say what it catches of the classes it was built for, not how it does on attacks',
    'nobody has written down yet. The rows labelled "held out" are texts written after the detector was',
    'tuned and never used to tune it: they are the fairer estimate, on a small sample.',
    '',
    '| corpus | texts | flagged | rate |',
    '|---|---:|---:|---:|',
    `| injections | ${rates.injections} | ${Math.round(rates.detectionRate * rates.injections)} | detection ${pct(rates.detectionRate)} |`,
    `| benign look-alikes | ${rates.benign} | ${Math.round(rates.falsePositiveRate * rates.benign)} | false positives ${pct(rates.falsePositiveRate)} |`,
    '',
    '## By class (injections) and kind (benign)',
    '',
    '| corpus | label | flagged / total |',
    '|---|---|---:|',
    ...rates.byLabel.map((r) => `| ${r.corpus} | ${r.label} | ${r.flagged} / ${r.total} |`),
    '',
    '## Missed injections',
    '',
    ...(rates.missed.length === 0
      ? ['None.']
      : rates.missed.map((e) => `- ${e.id} (${e.label}): ${JSON.stringify(e.text)}`)),
    '',
    '## Benign texts flagged',
    '',
    ...(rates.falsePositives.length === 0
      ? ['None.']
      : rates.falsePositives.map((e) => `- ${e.id} (${e.label}): ${JSON.stringify(e.text)}`)),
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex >= 0 ? process.argv[outIndex + 1]! : 'docs/benchmarks/safety.md';
  const rates = await measureSafety(loadSafetyCorpus(), (e) => detectInstructions(e.text).length > 0);
  const markdown = safetyMarkdown(rates, 'npm run bench:safety', new Date().toISOString().slice(0, 10));
  process.stdout.write(
    `detection rate ${pct(rates.detectionRate)} (${rates.injections} injections), false-positive rate ${pct(rates.falsePositiveRate)} (${rates.benign} benign)\n`,
  );
  if (!process.argv.includes('--no-write')) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, markdown);
    process.stderr.write(`wrote ${out}\n`);
  }
}
