// Times for people: absolute times in the user's locale (Intl.DateTimeFormat), relative
// ones ("2 min ago", Intl.RelativeTimeFormat), durations ("3 hr"), and the local-day
// arithmetic the history filter and the chart share. All inputs are UTC milliseconds.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

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
  const start = localMidnight(day);
  if (Number.isNaN(start)) return start;
  const d = new Date(start);
  d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** The `n` local days ending today, oldest first, as `YYYY-MM-DD`. */
export function lastDays(n: number, now: number): string[] {
  const days: string[] = [];
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - (n - 1));
  for (let i = 0; i < n; i++) {
    days.push(localDay(d.getTime()));
    d.setDate(d.getDate() + 1);
  }
  return days;
}
