// Words for stays (issue 16) that more than one view needs: a feed's state, a staff
// reference, a stay's dates. Pure functions of the catalogue and the formatter.

import type { FeedView, StaffRef, StayView } from '../ipc/backend';
import type { Messages } from '../i18n/en';
import type { Format } from './format';
import { localDay } from './time';

/** What went wrong with a feed's last fetch, in plain words; `null` when it worked. */
export function feedProblemText(feed: Pick<FeedView, 'problem' | 'httpStatus'>, t: Messages): string | null {
  const p = feed.problem;
  if (p === null) return null;
  if (p === 'status') return t.feedProblem.status(feed.httpStatus === null ? 'HTTP' : `HTTP ${feed.httpStatus}`);
  return t.feedProblem[p];
}

/** A person marked staff, as the window names them. */
export function staffName(ref: StaffRef, t: Messages): string {
  if (ref.kind === 'user') return t.staff.user(ref.value);
  if (ref.kind === 'access') return t.staff.access(ref.value);
  return ref.value;
}

/** "12–15 Dec", "28 Nov – 2 Dec": a stay's days, from check-in to check-out. */
export function stayDays(checkIn: number, checkOut: number, fmt: Format): string {
  const from = fmt.dayShort(localDay(checkIn));
  const to = fmt.dayShort(localDay(checkOut));
  const a = new Date(checkIn);
  const b = new Date(checkOut);
  if (a.getMonth() === b.getMonth() && a.getFullYear() === b.getFullYear()) {
    // The same month: the first day alone, as the locale writes a day ("12" or "12.").
    const day = new Intl.DateTimeFormat(fmt.locale, { day: 'numeric' }).format(checkIn);
    return `${day}–${to}`;
  }
  return `${from} – ${to}`;
}

/** A stay in the History's stay filter: "Harbour Loft · 12–15 Dec · HMX7R3NB2C". */
export function stayLabel(stay: StayView, fmt: Format, t: Messages, withPlace: boolean): string {
  const parts = [stayDays(stay.checkIn, stay.checkOut, fmt)];
  if (withPlace) parts.unshift(stay.placeName);
  if (stay.blocked) parts.push(t.marks.blocked);
  else {
    const who = stay.guestName ?? stay.reservationCode ?? (stay.phoneLast4 ? t.marks.phone(stay.phoneLast4) : null);
    if (who) parts.push(who);
  }
  return parts.join(' · ');
}
