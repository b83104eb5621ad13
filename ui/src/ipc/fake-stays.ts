// The sample backend's bookings (issue 16), for view tests and the preview: Harbour Loft
// reads an Airbnb calendar (good) and a Booking.com one (answering a login page for two
// days, so stale, its last good blocks kept); Old Town Studio an Airbnb calendar. Their
// stays, relative to `now`: past stays with arrivals (one found after all: the lock
// reported it late), a same-day turnover this morning, a stay arriving today at 15:00 not
// yet arrived, a stay under way at Old Town Studio, blocked nights past and coming; a cleaner
// marked staff. `markRows` gives sample unlocks the marks the matching would: the arrival,
// the guest's later unlocks, staff, blocked, vacant.
//
// Dev and test only, like fake.ts.

import { addressOk } from '../lib/places';
import type { FeedProblem, FeedView, HistoryRowView, StaffRef, StayMark, StayView } from './backend';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** `stays.buffer`'s default: minutes around check-in and check-out that still count. */
export const BUFFER_MS = 60 * MIN;

/** A feed as the fake keeps it: the view, and the link the view never carries. */
export interface FakeFeed {
  view: FeedView;
  url: string;
}

/** A stay as the fake keeps it: its place's name is looked up when listed. */
export type FakeStay = Omit<StayView, 'placeName'>;

export const CLEANER = 'Maria (cleaning)';
export const SAMPLE_STAFF: StaffRef[] = [{ kind: 'name', value: CLEANER }];

/** Local `hour:minute` `days` days after `now`'s day. */
function dayAt(now: number, days: number, hour: number, minute = 0): number {
  const d = new Date(now);
  d.setDate(d.getDate() + days);
  d.setHours(hour, minute, 0, 0);
  return d.getTime();
}

export function sampleFeeds(now: number): FakeFeed[] {
  const feed = (placeId: string, label: string, over: Partial<FeedView>, url: string): FakeFeed => ({
    url,
    view: {
      placeId,
      label,
      entries: 'bookings',
      blocksVacant: false,
      fetchedAt: now - 12 * MIN,
      okAt: now - 12 * MIN,
      staysFound: 3,
      problem: null,
      httpStatus: null,
      stale: false,
      ...over,
    },
  });
  return [
    feed('place-harbour', 'Airbnb', {}, 'https://www.airbnb.com/calendar/ical/4242.ics?s=secret-harbour'),
    feed(
      'place-harbour',
      'Booking.com',
      { entries: 'blocks', okAt: now - 2 * DAY - 3 * HOUR, staysFound: 2, problem: 'html', stale: true },
      'https://admin.booking.com/hotel/hoteladmin/ical.html?t=login-expired',
    ),
    feed('place-oldtown', 'Airbnb', { staysFound: 1, fetchedAt: now - 20 * MIN, okAt: now - 20 * MIN }, 'https://www.airbnb.com/calendar/ical/5151.ics?s=secret-oldtown'),
  ];
}

function stay(id: number, placeId: string, checkIn: number, checkOut: number, over: Partial<FakeStay> = {}): FakeStay {
  return {
    id,
    placeId,
    checkIn,
    checkOut,
    blocked: false,
    sources: ['Airbnb'],
    summary: 'Reserved',
    guestName: null,
    reservationCode: null,
    phoneLast4: null,
    arrivedAt: null,
    arrivedLate: false,
    noShow: false,
    cancelled: false,
    ...over,
  };
}

/** Who arrived for each stay with an arrival (Parakey names them). */
export const ARRIVALS: Record<number, string> = { 9: 'Amira Haddad', 11: 'Chen Wei', 12: 'Sofia Rossi', 21: 'Jonas Berg' };

export function sampleStays(now: number): FakeStay[] {
  const h = 'place-harbour';
  const blocks = { blocked: true, sources: ['Booking.com'], summary: 'CLOSED - Not available' };
  return [
    stay(9, h, dayAt(now, -20, 15), dayAt(now, -16, 11), { arrivedAt: dayAt(now, -20, 15, 40), reservationCode: 'HM8Q2JX4TB' }),
    stay(10, h, dayAt(now, -13, 15), dayAt(now, -11, 11), blocks),
    // Nobody had unlocked by the 22:00 deadline; the lock uploaded the 18:40 unlock later.
    stay(11, h, dayAt(now, -9, 15), dayAt(now, -6, 11), {
      arrivedAt: dayAt(now, -9, 18, 40),
      arrivedLate: true,
      reservationCode: 'HMQ4X2ZP8R',
      phoneLast4: '4821',
    }),
    // A same-day turnover: out at 11:00 today, the next guests in at 15:00.
    stay(12, h, dayAt(now, -4, 15), dayAt(now, 0, 11), { arrivedAt: dayAt(now, -4, 16, 5), phoneLast4: '7730' }),
    stay(13, h, dayAt(now, 0, 15), dayAt(now, 3, 11), { reservationCode: 'HMX7R3NB2C', phoneLast4: '0193' }),
    stay(14, h, dayAt(now, 5, 15), dayAt(now, 8, 11), blocks),
    stay(21, 'place-oldtown', dayAt(now, -1, 15), dayAt(now, 2, 11), { arrivedAt: dayAt(now, -1, 17, 20), reservationCode: 'HMC5V8LD1K' }),
  ];
}

/** What a fetch of `url` would find wrong (the sample's links name their trouble). */
export function problemFor(url: string): FeedProblem | null {
  if (!addressOk(url)) return 'insecure';
  if (/login/.test(url)) return 'html';
  if (/expired|revoked/.test(url)) return 'unauthorized';
  if (/gone|404/.test(url)) return 'notFound';
  if (/slow/.test(url)) return 'timeout';
  if (/huge/.test(url)) return 'tooLarge';
  if (/broken/.test(url)) return 'malformed';
  return null;
}

/** Words for a problem in the shell's English (the fake's errors are English, as the shell's default). */
export const PROBLEM_MESSAGES: Record<FeedProblem, string> = {
  network: "Couldn't reach the calendar.",
  timeout: 'The calendar took too long to answer.',
  html: 'The link answers with a web page (a login page?), not a calendar.',
  unauthorized: 'The calendar refused the link; it may have been replaced.',
  notFound: 'No calendar at this link any more.',
  status: 'The calendar answered with an error.',
  tooLarge: 'The calendar is larger than Doorpost reads.',
  notCalendar: 'The answer has no calendar in it.',
  malformed: "The calendar couldn't be read.",
  insecure: 'Only https:// links are read.',
};

export function sameRef(a: StaffRef | null, b: StaffRef): boolean {
  return a !== null && a.kind === b.kind && a.value.toLowerCase() === b.value.toLowerCase();
}

function covering(stays: FakeStay[], placeId: string | null, t: number): FakeStay | undefined {
  const here = stays.filter((s) => s.placeId === placeId && !s.cancelled && s.checkIn - BUFFER_MS <= t && t < s.checkOut + BUFFER_MS);
  return here.find((s) => !s.blocked) ?? here[0];
}

function mark(kind: StayMark['kind'], s: FakeStay | undefined): StayMark {
  return { kind, stayId: s?.id ?? null, checkIn: s?.checkIn ?? null, checkOut: s?.checkOut ?? null };
}

/**
 * Sample unlocks made consistent with the stays, in place, as the matching would mark them:
 * one row per arrival (taken from the rows at the stay's place), the cleaner's unlocks before
 * a guest arrived, the guests' later ones, blocked nights, vacant ones. Only places with a
 * feed get marks.
 */
export function markRows(rows: HistoryRowView[], stays: FakeStay[], feeds: FakeFeed[], staff: StaffRef[], now: number): void {
  const withFeeds = new Set(feeds.map((f) => f.view.placeId));
  const used = new Set<HistoryRowView>();
  for (const s of stays) {
    const name = ARRIVALS[s.id];
    const row = rows.find((r) => r.placeId === s.placeId && !used.has(r) && r.doorId !== null);
    if (s.arrivedAt === null || name === undefined || !row) continue;
    used.add(row);
    const late = s.arrivedLate ? 4 * HOUR + 25 * MIN : null;
    Object.assign(row, { unlockedAt: s.arrivedAt, timestamp: s.arrivedAt, createdAt: s.arrivedAt + (late ?? 2000) });
    Object.assign(row, { lateByMs: late, user: name, notification: 'notified', muted: false });
  }
  for (const r of rows) {
    if (!withFeeds.has(r.placeId ?? '')) continue;
    const s = covering(stays, r.placeId, r.unlockedAt);
    // Someone before the guest during a stay: the matching would call it the arrival, unless
    // it was staff. In the sample it is the cleaner, getting the place ready.
    if (s && !s.blocked && r.unlockedAt < (s.arrivedAt ?? now)) r.user = CLEANER;
    markRow(r, stays, feeds, staff);
  }
}

/**
 * A new unlock as the matching sees it: the first by someone not staff during a stay not yet
 * arrived is its arrival (the stay learns it).
 */
export function arrive(r: HistoryRowView, stays: FakeStay[], feeds: FakeFeed[], staff: StaffRef[]): void {
  if (!feeds.some((f) => f.view.placeId === r.placeId)) return;
  const s = covering(stays, r.placeId, r.unlockedAt);
  const ref: StaffRef | null = r.user === null ? null : { kind: 'name', value: r.user };
  if (s && !s.blocked && s.arrivedAt === null && !staff.some((p) => sameRef(ref, p))) s.arrivedAt = r.unlockedAt;
  markRow(r, stays, feeds, staff);
}

/** One row's mark, staff reference and staff flag, given the stays and staff. */
export function markRow(r: HistoryRowView, stays: FakeStay[], feeds: FakeFeed[], staff: StaffRef[]): void {
  if (!feeds.some((f) => f.view.placeId === r.placeId)) return;
  const s = covering(stays, r.placeId, r.unlockedAt);
  r.staffRef = r.user === null ? null : { kind: 'name', value: r.user };
  r.isStaff = staff.some((p) => sameRef(r.staffRef, p));
  if (r.isStaff) r.stay = mark('staff', s);
  else if (!s) r.stay = mark('vacant', undefined);
  else if (s.blocked) r.stay = mark(blocksVacant(feeds, s) ? 'vacant' : 'blocked', s);
  else if (r.unlockedAt === s.arrivedAt) r.stay = mark(s.arrivedLate ? 'foundAfterAll' : 'arrival', s);
  else r.stay = mark('guest', s);
}

/** A blocked period counts as vacant when every feed listing it says its blocks do. */
function blocksVacant(feeds: FakeFeed[], s: FakeStay): boolean {
  const listing = feeds.filter((f) => f.view.placeId === s.placeId && s.sources.includes(f.view.label));
  return listing.length > 0 && listing.every((f) => f.view.blocksVacant);
}
