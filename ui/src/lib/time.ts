// Local-day arithmetic the history filter, the chart and the formatter share: no words and
// no Intl here (see format.ts for that). All inputs are UTC milliseconds; days are the
// shell's local `YYYY-MM-DD` (as in `DayCount.day`).

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The local calendar day of `ms`, as `YYYY-MM-DD` (the shell's `DayCount.day`). */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function sameLocalDay(a: number, b: number): boolean {
  return localDay(a) === localDay(b);
}

/** Local midnight starting `day` (`YYYY-MM-DD`), in UTC ms; NaN when it is not a date. */
export function localMidnight(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return Number.NaN;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

/** Local midnight after `day`: the exclusive end of a day range (DST-safe). */
export function nextLocalMidnight(day: string): number {
  return addDays(day, 1) === '' ? Number.NaN : localMidnight(addDays(day, 1));
}

/** The local day `n` days after `day` (negative: before); '' when `day` is not a date. */
export function addDays(day: string, n: number): string {
  const start = localMidnight(day);
  if (Number.isNaN(start)) return '';
  const d = new Date(start);
  d.setDate(d.getDate() + n);
  return localDay(d.getTime());
}

/** Whole local calendar days from `now`'s day to `ms`'s day: 0 today, -1 yesterday. */
export function dayOffset(ms: number, now: number): number {
  return Math.round((localMidnight(localDay(ms)) - localMidnight(localDay(now))) / DAY);
}

/** The `n` local days ending today, oldest first, as `YYYY-MM-DD`. */
export function lastDays(n: number, now: number): string[] {
  const today = localDay(now);
  return Array.from({ length: n }, (_, i) => addDays(today, i - (n - 1)));
}

/** The next local 07:00 after `now`: this morning's before 07:00, else tomorrow's. */
export function nextSevenAm(now: number): number {
  const d = new Date(now);
  if (d.getHours() >= 7) d.setDate(d.getDate() + 1);
  d.setHours(7, 0, 0, 0);
  return d.getTime();
}
