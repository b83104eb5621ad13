// The sample backend's bookings: feeds without their links, add/check/remove with the
// shell's refusals, stays listed soonest first, History marks consistent with the stays,
// filtering by stay, and staff toggling every row of a person with a change event.
import { describe, expect, it } from 'vitest';
import { FakeBackend } from '../src/ipc/fake';
import type { AppError, ChangedEvent, HistoryRowView } from '../src/ipc/backend';
import { NOW } from './render';

const all = async (b: FakeBackend) => (await b.history({ doorIds: [], limit: 500 })).rows;

describe('the sample bookings', () => {
  it('lists two feeds at Harbour Loft, one with a problem, and never a link', async () => {
    const b = new FakeBackend({ now: NOW });
    const feeds = await b.feeds();
    expect(feeds.map((f) => [f.label, f.problem, f.stale])).toEqual([
      ['Airbnb', null, false],
      ['Booking.com', 'html', true],
    ]);
    expect(JSON.stringify(feeds)).not.toContain('https://');
  });

  it('lists stays soonest first: past found after all, arriving today, blocked', async () => {
    const b = new FakeBackend({ now: NOW });
    const stays = await b.stays({ from: NOW - 30 * 86_400_000 });
    expect(stays.map((s) => s.id)).toEqual([9, 10, 11, 12, 13, 14]);
    const today = stays.find((s) => s.id === 13)!;
    expect(new Date(today.checkIn).getDate()).toBe(new Date(NOW).getDate());
    expect(today.arrivedAt).toBeNull();
    expect(stays.find((s) => s.id === 11)).toMatchObject({ arrivedLate: true, noShow: false });
    expect(stays.find((s) => s.id === 14)!.blocked).toBe(true);
    // By default: those not ended and those ended in the last 7 days.
    expect((await b.stays({})).map((s) => s.id)).toEqual([11, 12, 13, 14]);
  });

  it('marks sample unlocks as the matching would, and filters by stay', async () => {
    const b = new FakeBackend({ now: NOW });
    const rows = await all(b);
    expect(rows).toHaveLength(240);
    const kinds = new Set(rows.map((r) => r.stay?.kind));
    for (const k of ['arrival', 'foundAfterAll', 'guest', 'staff', 'vacant', 'blocked']) expect(kinds).toContain(k);
    const arrival = rows.find((r) => r.stay?.kind === 'foundAfterAll')!;
    expect(arrival).toMatchObject({ user: 'Chen Wei', stay: { stayId: 11 } });
    expect(arrival.lateByMs).toBeGreaterThan(0);
    const stay12 = (await b.history({ doorIds: [], stayId: 12, limit: 500 })).rows;
    expect(stay12.length).toBeGreaterThan(1);
    expect(stay12.every((r) => r.stay?.stayId === 12)).toBe(true);
    expect(stay12.filter((r) => r.stay?.kind === 'arrival').map((r) => r.user)).toEqual(['Sofia Rossi']);
    const staff = rows.filter((r) => r.isStaff);
    expect(staff.every((r) => r.user === 'Maria (cleaning)' && r.stay?.kind === 'staff')).toBe(true);
  });

  it('adds a feed with a unique label and an https link; refuses others', async () => {
    const b = new FakeBackend({ now: NOW });
    const fail = (p: Promise<unknown>) => p.then(() => null, (e: AppError) => e);
    const taken = await fail(b.addFeed({ placeId: 'place-harbour', label: ' airbnb ', url: 'https://x.example/a.ics', entries: 'bookings', blocksVacant: false }));
    expect(taken?.fields.map((f) => [f.field, f.problem.code])).toEqual([['label', 'nameTaken']]);
    const plain = await fail(b.addFeed({ placeId: 'place-harbour', label: 'VRBO', url: 'http://x.example/a.ics', entries: 'bookings', blocksVacant: false }));
    expect(plain?.fields.map((f) => [f.field, f.problem.code])).toEqual([['url', 'badAddress']]);
    const login = await fail(b.addFeed({ placeId: 'place-harbour', label: 'VRBO', url: 'https://x.example/login', entries: 'bookings', blocksVacant: false }));
    expect(login?.code).toBe('Network');
    const added = await b.addFeed({ placeId: 'place-harbour', label: 'VRBO', url: 'https://x.example/secret.ics', entries: 'blocks', blocksVacant: true });
    expect(added).toMatchObject({ label: 'VRBO', entries: 'blocks', blocksVacant: true, problem: null });
    expect(JSON.stringify(b.calls)).not.toContain('secret.ics');
    expect((await b.feeds()).map((f) => f.label)).toEqual(['Airbnb', 'Booking.com', 'VRBO']);
  });

  it('checks a feed now and removes one, keeping its stays', async () => {
    const b = new FakeBackend({ now: NOW });
    const checked = await b.checkFeed('place-harbour', 'Booking.com');
    expect(checked).toMatchObject({ fetchedAt: NOW, problem: 'html', stale: true });
    expect((await b.checkFeed('place-harbour', 'Airbnb')).okAt).toBe(NOW);
    await b.removeFeed('place-harbour', 'Booking.com');
    expect((await b.feeds()).map((f) => f.label)).toEqual(['Airbnb']);
    expect((await b.stays({})).some((s) => s.sources.includes('Booking.com'))).toBe(true);
    await expect(b.checkFeed('place-harbour', 'Booking.com')).rejects.toMatchObject({ code: 'NotConfigured' });
  });

  it('staff toggles isStaff on every row of the person and announces the change', async () => {
    const b = new FakeBackend({ now: NOW });
    const events: ChangedEvent[] = [];
    await b.onChanged((e) => events.push(e));
    const person = { kind: 'name' as const, value: 'Jonas Berg' };
    const theirs = (rows: HistoryRowView[]) => rows.filter((r) => r.user === 'Jonas Berg' && r.placeId === 'place-harbour');
    expect(theirs(await all(b)).some((r) => r.isStaff)).toBe(false);
    await b.addStaff(person);
    expect(await b.staff()).toContainEqual(person);
    expect(theirs(await all(b)).every((r) => r.isStaff)).toBe(true);
    await b.removeStaff(person);
    expect(theirs(await all(b)).some((r) => r.isStaff)).toBe(false);
    expect(events.map((e) => e.history)).toEqual([true, true]);
  });
});
