/**
 * Finds relative date phrases in a text and resolves them against the time the words were said
 * (never "now"): "my exam is tomorrow", said on 2023-05-08, is about 2023-05-09. English only;
 * the extraction prompt asks the model to do the same for every language, this is the safety net.
 */
export interface ResolvedDate {
  phrase: string;
  /** YYYY-MM-DD, or YYYY-MM for a month, or YYYY for a year. */
  date: string;
}

const DAY = 86_400_000;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const UNITS: Record<string, number> = { day: 1, days: 1, week: 7, weeks: 7 };
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  ten: 10,
};

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function addMonths(base: Date, months: number): Date {
  return new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + months, 1));
}

export function resolveRelativeDates(text: string, spokenAt: string): ResolvedDate[] {
  const base = new Date(spokenAt);
  const t = base.getTime();
  const found: ResolvedDate[] = [];
  const add = (phrase: string, date: string) => found.push({ phrase, date });
  const lower = text.toLowerCase();

  for (const m of lower.matchAll(
    /\b(today|tonight|this morning|this evening|tomorrow|yesterday|the day after tomorrow|the day before yesterday)\b/g,
  )) {
    const word = m[1]!;
    const offset = word.includes('after tomorrow')
      ? 2
      : word.includes('before yesterday')
        ? -2
        : word === 'tomorrow'
          ? 1
          : word === 'yesterday'
            ? -1
            : 0;
    add(word, ymd(t + offset * DAY));
  }
  for (const m of lower.matchAll(/\b(next|last|this) (week|month|year|weekend)\b/g)) {
    const [phrase, which, unit] = [m[0], m[1]!, m[2]!];
    const sign = which === 'next' ? 1 : which === 'last' ? -1 : 0;
    if (unit === 'month') add(phrase, addMonths(base, sign).toISOString().slice(0, 7));
    else if (unit === 'year') add(phrase, String(base.getUTCFullYear() + sign));
    else if (unit === 'weekend') {
      const toSaturday = (6 - base.getUTCDay() + 7) % 7;
      add(phrase, ymd(t + (toSaturday + 7 * Math.max(0, sign)) * DAY - (sign < 0 ? 7 * DAY : 0)));
    } else add(phrase, ymd(t + sign * 7 * DAY));
  }
  for (const m of lower.matchAll(
    /\b(next|last|this|on) (sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/g,
  )) {
    const target = WEEKDAYS.indexOf(m[2]!);
    const today = base.getUTCDay();
    let diff: number;
    if (m[1] === 'last') diff = -((today - target + 7) % 7 || 7);
    else diff = (target - today + 7) % 7 || 7;
    add(m[0], ymd(t + diff * DAY));
  }
  for (const m of lower.matchAll(
    /\bin (\d+|a|an|one|two|three|four|five|six|seven|ten) (days?|weeks?|months?|years?)\b/g,
  )) {
    const n = NUMBER_WORDS[m[1]!] ?? Number(m[1]);
    add(m[0], shift(base, n, m[2]!));
  }
  for (const m of lower.matchAll(
    /\b(\d+|a|an|one|two|three|four|five|six|seven|ten) (days?|weeks?|months?|years?) ago\b/g,
  )) {
    const n = NUMBER_WORDS[m[1]!] ?? Number(m[1]);
    add(m[0], shift(base, -n, m[2]!));
  }
  return found;
}

function shift(base: Date, n: number, unit: string): string {
  if (unit.startsWith('month')) return addMonths(base, n).toISOString().slice(0, 7);
  if (unit.startsWith('year')) return String(base.getUTCFullYear() + n);
  return ymd(base.getTime() + n * (UNITS[unit] ?? 1) * DAY);
}
