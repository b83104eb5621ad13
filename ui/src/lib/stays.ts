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
  const a = new Date(checkIn);
  const b = new Date(checkOut);
  if (a.getMonth() !== b.getMonth() || a.getFullYear() !== b.getFullYear()) {
    return `${fmt.dayShort(localDay(checkIn))} – ${fmt.dayShort(localDay(checkOut))}`;
  }
  // The same month: the check-out day as the locale writes it ("15 Dec", "Dec 15",
  // "15. des."), its day number widened to the range ("12–15 Dec", "Dec 12–15",
  // "12.–15. des.").
  const first = new Intl.DateTimeFormat(fmt.locale, { day: 'numeric' }).format(checkIn);
  const last = new Intl.DateTimeFormat(fmt.locale, { day: 'numeric', month: 'short' }).formatToParts(checkOut);
  return last.map((p) => (p.type === 'day' ? `${first}–${p.value}` : p.value)).join('');
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
