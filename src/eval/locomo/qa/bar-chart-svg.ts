export interface BarChart {
  title: string;
  /** One cluster of bars per group (e.g. per category). */
  groups: { label: string; values: (number | null)[] }[];
  /** One bar per series in every group, in this order. */
  series: { name: string; color: string }[];
  /** Value at the top of the axis (e.g. 1 for shares). */
  max: number;
  format: (value: number) => string;
}

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { top: 48, right: 16, bottom: 64, left: 48 };

/** A grouped bar chart as a self-contained SVG document (no dependency, no script). */
export function barChartSvg(chart: BarChart): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = chart.max > 0 ? chart.max : 1;
  const groupW = plotW / Math.max(1, chart.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, chart.series.length);
  const y = (v: number) => MARGIN.top + plotH - (Math.min(v, max) / max) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(chart.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (max * i) / 4;
    const at = y(value).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${at}" x2="${WIDTH - MARGIN.right}" y2="${at}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${escapeXml(chart.format(value))}</text>`,
    );
  }
  chart.groups.forEach((group, g) => {
    const x0 = MARGIN.left + g * groupW + groupW * 0.1;
    group.values.forEach((value, s) => {
      if (value === null) return;
      const x = x0 + s * barW;
      const top = y(value);
      const color = chart.series[s]?.color ?? '#888888';
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(MARGIN.top + plotH - top).toFixed(1)}" fill="${color}"><title>${escapeXml(`${group.label} · ${chart.series[s]?.name ?? ''}: ${chart.format(value)}`)}</title></rect>`,
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="9">${escapeXml(chart.format(value))}</text>`,
      );
    });
    parts.push(
      `<text x="${(MARGIN.left + g * groupW + groupW / 2).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${escapeXml(group.label)}</text>`,
    );
  });
  parts.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${WIDTH - MARGIN.right}" y2="${MARGIN.top + plotH}" stroke="#333333"/>`,
  );
  chart.series.forEach((series, s) => {
    const x = MARGIN.left + s * 130;
    const legendY = HEIGHT - 20;
    parts.push(
      `<rect x="${x}" y="${legendY - 9}" width="10" height="10" fill="${series.color}"/>`,
      `<text x="${x + 14}" y="${legendY}">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
