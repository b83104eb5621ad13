// A stay's days as each locale writes a range: the screenshots showed "7–Dec 10" under
// en-US, the check-out day's month put between the two day numbers.

import { describe, expect, it } from 'vitest';
import { createFormat, numbers, type Format } from '../src/lib/format';
import { stayDays } from '../src/lib/stays';
import { en } from '../src/i18n/en';
import { nb } from '../src/i18n/nb';

/** The window's formatter for `locale`, with its language's words. */
function format(locale: string): Format {
  const words = locale.startsWith('nb') ? nb : en;
  return createFormat(locale, words(numbers(locale)).time);
}

const checkIn = new Date(2026, 11, 7, 15).getTime();
const checkOut = new Date(2026, 11, 10, 11).getTime();

describe('stayDays', () => {
  it('keeps the month where the locale writes it', () => {
    expect(stayDays(checkIn, checkOut, format('en-US'))).toBe('Dec 7–10');
    expect(stayDays(checkIn, checkOut, format('en-GB'))).toBe('7–10 Dec');
    expect(stayDays(checkIn, checkOut, format('nb-NO'))).toBe('7.–10. des.');
  });

  it('names both months across a month end', () => {
    const out = new Date(2027, 0, 2, 11).getTime();
    expect(stayDays(new Date(2026, 11, 28, 15).getTime(), out, format('en-GB'))).toBe(
      '28 Dec – 2 Jan',
    );
  });
});
