// The catalogues: English and Norwegian have exactly the same keys, each entry the same kind
// (text, or a function of the same number of values); plurals in both languages; and the one
// formatter's day words, weekdays and clocks in each locale.
import { describe, expect, it } from 'vitest';
import { bundle, CATALOGUES, guessLanguage } from '../src/i18n/locale.svelte';
import { numbers } from '../src/lib/format';
import type { Language } from '../src/ipc/backend';

/** Every leaf of a catalogue as `path → kind`, where kind is "text" or "fn/<arity>". */
function leaves(value: unknown, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(path, 'text');
  else if (typeof value === 'function') out.set(path, `fn/${value.length}`);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      for (const [p, kind] of leaves(child, path ? `${path}.${key}` : key)) out.set(p, kind);
    }
  } else out.set(path, typeof value);
  return out;
}

const catalogue = (language: Language) => CATALOGUES[language](numbers(language === 'nb' ? 'nb-NO' : 'en-GB'));

describe('catalogues', () => {
  const english = leaves(catalogue('en'));
  const norwegian = leaves(catalogue('nb'));

  it('Norwegian has every English key and no other', () => {
    const missing = [...english.keys()].filter((k) => !norwegian.has(k));
    const extra = [...norwegian.keys()].filter((k) => !english.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(english.size).toBeGreaterThan(200);
  });

  it('each entry is the same kind in both', () => {
    const differing = [...english].filter(([k, kind]) => norwegian.get(k) !== kind).map(([k]) => k);
    expect(differing).toEqual([]);
  });

  it('no entry is empty or left in English by mistake', () => {
    const en = catalogue('en');
    const nb = catalogue('nb');
    const texts = (c: typeof en) => [...leaves(c)].filter(([, kind]) => kind === 'text').map(([k]) => k);
    const get = (c: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);
    // Words that are the same in both languages on purpose.
    const same = new Set(['tabs.status', 'statusPage.title', 'statusPage.token', 'header.demo', 'time.minutes']);
    for (const path of texts(en)) {
      expect(get(en, path), path).not.toBe('');
      if (!same.has(path)) expect(get(nb, path), path).not.toBe(get(en, path));
    }
  });
});

describe('plurals', () => {
  it('are right in English', () => {
    const t = catalogue('en');
    expect(t.common.unlocks(1)).toBe('1 unlock');
    expect(t.common.unlocks(2)).toBe('2 unlocks');
    expect(t.common.unlocks(0)).toBe('0 unlocks');
    expect(t.common.unlocks(12345)).toBe('12,345 unlocks');
    expect(t.history.exported(1, '/x.csv')).toBe('Saved 1 row to /x.csv');
    expect(t.token.connected(1, 62)).toBe('Connected. Found 1 door and 62 recent unlocks.');
    expect(t.chart.total(1, false)).toBe('1 unlock');
    expect(t.history.total(1, true)).toBe('1 matching unlock');
    expect(t.time.daysLong(1)).toBe('1 day');
  });

  it('are right in Norwegian', () => {
    const t = catalogue('nb');
    expect(t.common.unlocks(1)).toBe('1 opplåsing');
    expect(t.common.unlocks(2)).toBe('2 opplåsinger');
    expect(t.common.unlocks(12345)).toBe('12\u00a0345 opplåsinger');
    expect(t.history.exported(1, '/x.csv')).toBe('Lagret 1 rad i /x.csv');
    expect(t.token.connected(5, 1)).toBe('Tilkoblet. Fant 5 dører og 1 nylig opplåsing.');
    expect(t.time.hoursLong(1)).toBe('1 time');
    expect(t.time.hoursLong(3)).toBe('3 timer');
  });
});

describe('the formatter', () => {
  // Wednesday 26 November 2025, 15:00 local.
  const now = new Date(2025, 10, 26, 15, 0).getTime();
  const at = (day: number, h = 12, m = 49, month = 10, year = 2025) => new Date(year, month, day, h, m).getTime();

  it('says Today, Yesterday, a weekday within a week, else the date (en-GB)', () => {
    const { fmt } = bundle('en', 'en-GB');
    expect(fmt.when(at(26), now)).toBe('Today 12:49');
    expect(fmt.when(at(25), now)).toBe('Yesterday 12:49');
    expect(fmt.when(at(23), now)).toBe('Sun 12:49');
    expect(fmt.when(at(19), now)).toBe('19 Nov 12:49');
    expect(fmt.when(at(30, 12, 49, 10, 2024), now)).toBe('30 Nov 2024 12:49');
    expect(fmt.when(at(27, 7, 0), now)).toBe('Tomorrow 07:00');
    expect(fmt.whenInline(at(27, 7, 0), now)).toBe('tomorrow 07:00');
    expect(fmt.whenInline(at(26, 18, 0), now)).toBe('18:00');
    expect(fmt.dayHeading('2025-11-26', now)).toBe('Today');
    expect(fmt.dayHeading('2025-11-25', now)).toBe('Yesterday');
    expect(fmt.dayHeading('2025-11-23', now)).toBe('Sun 23 Nov');
    expect(fmt.relative(now - 10_000, now)).toBe('just now');
    expect(fmt.relative(now - 2 * 60_000, now)).toBe('2 minutes ago');
  });

  it('follows the locale for the clock (en-US)', () => {
    const { fmt } = bundle('en', 'en-US');
    expect(fmt.when(at(26, 13, 13), now)).toBe('Today 1:13 PM');
    expect(fmt.dayHeading('2025-11-23', now)).toBe('Sun, Nov 23');
  });

  it('speaks Norwegian (nb-NO)', () => {
    const { fmt } = bundle('nb', 'nb-NO');
    expect(fmt.when(at(26), now)).toBe('I dag 12:49');
    expect(fmt.when(at(25), now)).toBe('I går 12:49');
    expect(fmt.when(at(23), now)).toBe('søn. 12:49');
    expect(fmt.when(at(19), now)).toBe('19. nov. 12:49');
    expect(fmt.whenInline(at(27, 7, 0), now)).toBe('i morgen 07:00');
    expect(fmt.dayHeading('2025-11-23', now)).toBe('søn. 23. nov.');
    expect(fmt.relative(now - 2 * 60_000, now)).toBe('for 2 minutter siden');
    expect(fmt.relative(now - 10_000, now)).toBe('akkurat nå');
  });

  it('writes one delay the same way everywhere: minutes, then hours, then days', () => {
    const { fmt } = bundle('en', 'en-GB');
    expect(fmt.duration(10 * 60_000)).toBe('10 min');
    expect(fmt.duration(600 * 60_000)).toBe('10 hr');
    expect(fmt.durationLong(600 * 60_000)).toBe('10 hours');
    expect(fmt.duration(3 * 24 * 3_600_000)).toBe('3 days');
    expect(bundle('nb', 'nb-NO').fmt.duration(600 * 60_000)).toBe('10 timer');
  });

  it('survives a locale tag Intl does not accept', () => {
    expect(bundle('nb', 'not a locale!').fmt.locale).toBe('nb-NO');
  });

  it('guesses the language before the first overview from the browser', () => {
    expect(guessLanguage(['nb-NO', 'en'])).toBe('nb');
    expect(guessLanguage(['no'])).toBe('nb');
    expect(guessLanguage(['en-US'])).toBe('en');
    expect(guessLanguage([])).toBe('en');
  });
});
