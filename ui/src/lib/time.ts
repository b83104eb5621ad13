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

// Until every view formats through format.ts (the next commits), the old Intl helpers on
// the system locale stay here.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const weekdayClock = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
const shortDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'long' });
const count = new Intl.NumberFormat();

export function formatCount(n: number): string {
  return count.format(n);
}

/** "26 Nov 2025, 14:03": an unlock in the history. */
export function formatDateTime(ms: number): string {
  return dateTime.format(ms);
}

/** "14:03" today, "Thu 14:03" within a week, else the full date and time. */
export function formatWhen(ms: number, now: number): string {
  if (sameLocalDay(ms, now)) return clock.format(ms);
  if (Math.abs(ms - now) < 6 * DAY) return weekdayClock.format(ms);
  return dateTime.format(ms);
}

export function formatClock(ms: number): string {
  return clock.format(ms);
}

/** "Nov 26" for chart labels; `day` is a local `YYYY-MM-DD`. */
export function formatDay(day: string): string {
  return shortDay.format(localMidnight(day));
}

export function formatWeekday(day: string): string {
  return weekday.format(localMidnight(day));
}

/** "2 min ago", "in 3 min", "now". */
export function formatRelative(ms: number, now: number): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  if (abs < 45_000) return relative.format(0, 'second');
  if (abs < HOUR) return relative.format(Math.round(diff / MIN), 'minute');
  if (abs < DAY) return relative.format(Math.round(diff / HOUR), 'hour');
  return relative.format(Math.round(diff / DAY), 'day');
}

const units = {
  minute: new Intl.NumberFormat(undefined, { style: 'unit', unit: 'minute', unitDisplay: 'short' }),
  hour: new Intl.NumberFormat(undefined, { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 0 }),
  day: new Intl.NumberFormat(undefined, { style: 'unit', unit: 'day', unitDisplay: 'long', maximumFractionDigits: 0 }),
};

/** A delay for the "reported 3 hr late" badge: whole minutes, hours or days. */
export function formatDuration(ms: number): string {
  if (ms < HOUR) return units.minute.format(Math.max(1, Math.round(ms / MIN)));
  if (ms < DAY) return units.hour.format(Math.round(ms / HOUR));
  return units.day.format(Math.round(ms / DAY));
}

