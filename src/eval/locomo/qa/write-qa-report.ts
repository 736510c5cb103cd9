import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocomoQaReport } from './qa-report.js';
import { renderQaCharts, renderQaReport } from './render-qa-report.js';

/** Writes report.json, report.md and the SVG charts into outDir. */
export async function writeQaReport(outDir: string, report: LocomoQaReport): Promise<void> {
  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'report.md'), renderQaReport(report));
  for (const [name, svg] of Object.entries(renderQaCharts(report))) await writeFile(join(outDir, name), svg);
}
