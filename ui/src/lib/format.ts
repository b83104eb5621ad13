// Every date, time and number the window shows goes through one `Format`, made for the
// locale the shell reports (`Overview.locale`, e.g. `nb-NO`, `en-GB`, `en-US`), so the
// window, the tray and the notifications share one clock and one calendar. Words such as
// "Today" come from the message catalogue of the language in effect; Intl supplies the
// rest (weekday and month names, 12- or 24-hour clocks, digit grouping).

import { dayOffset, HOUR, DAY, localMidnight, MIN } from './time';

/** The words a formatter needs, from the catalogue (`t.time`). */
export interface TimeWords {
  /** Sentence start: "Today 12:49". */
  today: string;
  yesterday: string;
  tomorrow: string;
  /** Mid-sentence: "paused until tomorrow 07:00". */
  yesterdayInline: string;
  tomorrowInline: string;
  /** "Checked just now". */
  justNow: string;
  /** Short durations for badges: "10 min", "3 hr", "2 days". */
  minutes: (n: number) => string;
  hours: (n: number) => string;
  days: (n: number) => string;
  /** The same in full words, for sentences: "3 hours". */
  minutesLong: (n: number) => string;
  hoursLong: (n: number) => string;
  daysLong: (n: number) => string;
}

/** Plural forms the catalogue gives; both our languages need only these two. */
export interface PluralForms {
  one: string;
  other: string;
}

/** What a catalogue may use while it is built: numbers and plural choice, no words. */
export interface Numbers {
  count(n: number): string;
  plural(n: number, forms: PluralForms): string;
}

/** A BCP 47 tag Intl accepts, else `fallback` (a shell bug must not blank the window). */
export function usableLocale(tag: string, fallback: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? fallback;
  } catch {
    return fallback;
  }
}

export function numbers(locale: string): Numbers {
  const count = new Intl.NumberFormat(locale);
  const rules = new Intl.PluralRules(locale);
  return {
    count: (n) => count.format(n),
    plural: (n, forms) => (rules.select(n) === 'one' ? forms.one : forms.other),
  };
}

export interface Format extends Numbers {
  readonly locale: string;
  /** "12:49" (or "12:49 PM"): a time of day. */
  clock(ms: number): string;
  /** At a sentence start or in a list: "Today 12:49", "Yesterday 12:49", "Sun 12:49", "30 Nov 12:49". */
  when(ms: number, now: number): string;
  /** Mid-sentence: "12:49" today, "tomorrow 07:00", "Wed 07:00", "30 Nov 12:49". */
  whenInline(ms: number, now: number): string;
  /** The full date and time: "Sunday, 30 November 2025 at 12:49". */
  full(ms: number): string;
  /** A day heading in the history: "Today", "Yesterday", "Sun 30 Nov", "Sat 30 Nov 2024". */
  dayHeading(day: string, now: number): string;
  /** "30 Nov" for a local `YYYY-MM-DD`. */
  dayShort(day: string): string;
  /** "Sun 30 Nov" for a local `YYYY-MM-DD`. */
  dayLong(day: string): string;
  /** "Sun" for a local `YYYY-MM-DD`. */
  weekday(day: string): string;
  /** "just now", "2 minutes ago", "in 3 minutes". */
  relative(ms: number, now: number): string;
  /** A delay: whole minutes under an hour, hours under a day, else days ("10 min", "3 hr"). */
  duration(ms: number): string;
  durationLong(ms: number): string;
}

export function createFormat(locale: string, words: TimeWords): Format {
  const num = numbers(locale);
  const clock = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short' });
  const dayMonth = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
  const dayMonthYear = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' });
  const weekdayDayMonth = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short' });
  const weekdayDayMonthYear = new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  const full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' });
  const year = (ms: number) => new Date(ms).getFullYear();

  /** The day part of a time a week or more away: "30 Nov", with the year when not this one. */
  function distantDay(ms: number, now: number): string {
    return year(ms) === year(now) ? dayMonth.format(ms) : dayMonthYear.format(ms);
  }

  function when(ms: number, now: number, inline: boolean): string {
    const time = clock.format(ms);
    const offset = dayOffset(ms, now);
    if (offset === 0) return inline ? time : `${words.today} ${time}`;
    if (offset === -1) return `${inline ? words.yesterdayInline : words.yesterday} ${time}`;
    if (offset === 1) return `${inline ? words.tomorrowInline : words.tomorrow} ${time}`;
    if (Math.abs(offset) < 7) return `${weekday.format(ms)} ${time}`;
    return `${distantDay(ms, now)} ${time}`;
  }

  function split(ms: number): { unit: 'minute' | 'hour' | 'day'; n: number } {
    if (ms < HOUR) return { unit: 'minute', n: Math.max(1, Math.round(ms / MIN)) };
    if (ms < DAY) return { unit: 'hour', n: Math.round(ms / HOUR) };
    return { unit: 'day', n: Math.round(ms / DAY) };
  }

  return {
    ...num,
    locale,
    clock: (ms) => clock.format(ms),
    when: (ms, now) => when(ms, now, false),
    whenInline: (ms, now) => when(ms, now, true),
    full: (ms) => full.format(ms),
    dayHeading(day, now) {
      const ms = localMidnight(day);
      const offset = dayOffset(ms, now);
      if (offset === 0) return words.today;
      if (offset === -1) return words.yesterday;
      return year(ms) === year(now) ? weekdayDayMonth.format(ms) : weekdayDayMonthYear.format(ms);
    },
    dayShort: (day) => dayMonth.format(localMidnight(day)),
    dayLong: (day) => weekdayDayMonth.format(localMidnight(day)),
    weekday: (day) => weekday.format(localMidnight(day)),
    relative(ms, now) {
      const diff = ms - now;
      const abs = Math.abs(diff);
      if (abs < 45_000) return words.justNow;
      if (abs < HOUR) return relative.format(Math.round(diff / MIN), 'minute');
      if (abs < DAY) return relative.format(Math.round(diff / HOUR), 'hour');
      return relative.format(Math.round(diff / DAY), 'day');
    },
    duration(ms) {
      const { unit, n } = split(ms);
      return unit === 'minute' ? words.minutes(n) : unit === 'hour' ? words.hours(n) : words.days(n);
    },
    durationLong(ms) {
      const { unit, n } = split(ms);
      return unit === 'minute' ? words.minutesLong(n) : unit === 'hour' ? words.hoursLong(n) : words.daysLong(n);
    },
  };
}
