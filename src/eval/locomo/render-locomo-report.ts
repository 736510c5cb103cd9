import type { LocomoRetrievalReport, ModeScores } from './locomo-report.js';

/** The report as Markdown: one row per mode, then recall@10 per category. */
export function renderLocomoReport(report: LocomoRetrievalReport): string {
  const lines = [
    '# LoCoMo retrieval (no LLM)',
    '',
    `Dataset ${report.dataset.path} (sha256 ${report.dataset.sha256.slice(0, 12)}…), conversations ${report.dataset.conversations.join(', ')}; ${report.questions} questions (categories 1–4 with evidence). Embedder: ${report.embedder ?? 'none'}.`,
    `Memory text: ${report.settings.memoryText}. Search limit ${report.settings.limit}.`,
    '',
    '| mode | recall@1 | recall@5 | recall@10 | recall@20 | hit@10 | answer tokens in top 10 | context tokens | search ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const scored: [string, ModeScores][] = [];
  for (const [name, mode] of Object.entries(report.modes)) {
    if ('skipped' in mode) {
      lines.push(`| ${name} | skipped: ${mode.reason} |||||||| `);
      continue;
    }
    scored.push([name, mode]);
    lines.push(
      `| ${name} | ${mode['recall@1']} | ${mode['recall@5']} | ${mode['recall@10']} | ${mode['recall@20']} | ${mode['hit@10']} | ${mode.answer_token_recall} | ${mode.context_tokens} | ${mode.search_ms} |`,
    );
  }
  const categories = Object.keys(report.categories);
  lines.push(
    '',
    `| recall@10 by category | ${categories.map((c) => `${c} ${report.categories[c]}`).join(' | ')} |`,
  );
  lines.push(`|---|${categories.map(() => '---:').join('|')}|`);
  for (const [name, mode] of scored) {
    lines.push(
      `| ${name} | ${categories.map((c) => mode.by_category[c]?.['recall@10'] ?? '–').join(' | ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
