// History and stays against the sample backend: each row's mark in words ("Arrival · stay
// 22–26 Nov", "Found after all", "Guest", "Staff", "Vacant", "Blocked") with the reason for
// screen readers, "This is staff" / "Not staff" on a row, and the stay menu filtering to one
// stay's unlocks; in English and Norwegian.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import History from '../src/views/History.svelte';
import { FakeBackend } from '../src/ipc/fake';
import type { HistoryQueryView, HistoryRowView, Language, StayMark } from '../src/ipc/backend';
import { NOW, renderWith } from './render';

const MIN = 60_000;
const at = (day: number, hour: number, minute = 0) => new Date(2025, 10, day, hour, minute).getTime();
/** The sample's stay 12 (a turnover this morning) and a blocked period, as marks carry them. */
const STAY_12 = { stayId: 12, checkIn: at(22, 15), checkOut: at(26, 11) };
const mark = (kind: StayMark['kind'], stay: Partial<StayMark> = STAY_12): StayMark => ({
  kind,
  stayId: null,
  checkIn: null,
  checkOut: null,
  ...stay,
});

function row(id: string, minutesAgo: number, user: string | null, stay: StayMark | null, extra: Partial<HistoryRowView> = {}): HistoryRowView {
  const t = NOW - minutesAgo * MIN;
  return {
    id,
    unlockedAt: t,
    createdAt: t + 1000,
    timestamp: t,
    doorId: 'door-front',
    door: 'Front door',
    user,
    notification: 'notified',
    lateByMs: null,
    placeId: 'place-harbour',
    placeName: 'Harbour Loft',
    repeat: false,
    muted: false,
    duplicateOf: null,
    stay,
    staffRef: user === null ? null : { kind: 'name', value: user },
    isStaff: stay?.kind === 'staff',
    ...extra,
  };
}

const MARKED = [
  row('arrival', 10, 'Sofia Rossi', mark('arrival')),
  row('guest', 20, 'Sofia Rossi', mark('guest')),
  row('found', 30, 'Chen Wei', mark('foundAfterAll', { stayId: 11, checkIn: at(17, 15), checkOut: at(20, 11) })),
  row('staff', 40, 'Maria (cleaning)', mark('staff')),
  row('vacant', 50, 'Jonas Berg', mark('vacant', {})),
  row('blocked', 60, null, mark('blocked', { stayId: 10, checkIn: at(13, 15), checkOut: at(15, 11) })),
  row('nofeed', 70, 'Amira Haddad', null, { placeId: null, placeName: null, staffRef: null }),
];

async function open(options: { rows?: HistoryRowView[]; language?: Language } = {}) {
  const backend = new FakeBackend({ mode: 'account', now: NOW, rows: options.rows });
  const overview = await backend.overview();
  renderWith(History, { version: 0, focus: null, places: overview.places, settings: overview.settings }, backend, options.language ?? 'en');
  await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(0));
  return backend;
}

const rowById = (id: string) => screen.getAllByTestId('history-row').find((r) => r.dataset.id === id)!;
const markOf = (id: string) => within(rowById(id)).queryByTestId('stay-mark');
const visible = (el: HTMLElement | null) => el?.firstChild?.textContent ?? null;

function lastQuery(backend: FakeBackend): HistoryQueryView {
  const list = backend.callsTo('history').map((a) => a[0] as HistoryQueryView).filter((q) => q.limit !== 1);
  return list[list.length - 1]!;
}

describe('history marks', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows each row’s mark, with why for screen readers', async () => {
    await open({ rows: MARKED });
    expect(visible(markOf('arrival'))).toBe('Arrival · stay 22–26 Nov');
    expect(markOf('arrival')!.textContent).toBe("Arrival · stay 22–26 Nov: the first unlock of the stay by someone who isn't staff");
    expect(visible(markOf('found'))).toBe('Found after all');
    expect(markOf('found')!.textContent).toContain('(17–20 Nov)');
    expect(visible(markOf('guest'))).toBe('Guest');
    expect(markOf('guest')!.textContent).toBe('Guest: during the stay 22–26 Nov');
    expect(visible(markOf('staff'))).toBe('Staff');
    expect(visible(markOf('vacant'))).toBe('Vacant');
    expect(visible(markOf('blocked'))).toBe('Blocked');
    expect(markOf('nofeed')).toBeNull();
  });

  it('offers "This is staff" on the focused row when it names someone, and "Not staff" on staff', async () => {
    const backend = await open({ rows: MARKED });
    const focusRow = async (id: string) => {
      await fireEvent.focus(rowById(id));
      return within(rowById(id)).queryByTestId('row-staff');
    };
    expect(await focusRow('blocked')).toBeNull();
    expect(await focusRow('nofeed')).toBeNull();
    await focusRow('staff');
    expect(within(rowById('staff')).getByRole('button', { name: 'Not staff: Maria (cleaning)' }).textContent).toBe('Not staff');
    // One such button in the list: the focused row's.
    expect(screen.getAllByTestId('row-staff')).toHaveLength(1);
    await focusRow('vacant');

    await fireEvent.click(within(rowById('vacant')).getByRole('button', { name: 'This is staff: Jonas Berg' }));
    expect((await screen.findByTestId('history-notice')).textContent).toBe('Jonas Berg is marked staff.');
    expect(backend.callsTo('addStaff')).toEqual([[{ kind: 'name', value: 'Jonas Berg' }]]);
    // The row says so at once: the mark decided then stays, with a Staff tag beside it.
    await waitFor(() => expect(within(rowById('vacant')).getByTestId('row-staff').textContent).toBe('Not staff'));
    expect(within(rowById('vacant')).getByTestId('staff-tag').firstChild!.textContent).toBe('Staff');
    expect(visible(markOf('vacant'))).toBe('Vacant');

    await fireEvent.click(within(rowById('vacant')).getByTestId('row-staff'));
    await waitFor(() => expect(screen.getByTestId('history-notice').textContent).toBe('Jonas Berg is no longer staff.'));
    expect(backend.callsTo('removeStaff')).toEqual([[{ kind: 'name', value: 'Jonas Berg' }]]);
    await waitFor(() => expect(within(rowById('vacant')).getByTestId('row-staff').textContent).toBe('This is staff'));
  });

  it('the staff button follows the row the arrows move to', async () => {
    await open({ rows: MARKED });
    expect(screen.getAllByTestId('row-staff').map((b) => b.closest('li')!.dataset.id)).toEqual(['arrival']);
    rowById('arrival').focus();
    await fireEvent.keyDown(rowById('arrival'), { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(rowById('guest')));
    expect(screen.getAllByTestId('row-staff').map((b) => b.closest('li')!.dataset.id)).toEqual(['guest']);
    // Arrow keys on the button itself do not move between rows.
    await fireEvent.keyDown(screen.getByTestId('row-staff'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(rowById('guest'));
  });

  it('filters by stay, from a menu of the stays', async () => {
    const backend = await open();
    const menu = (await screen.findByTestId('history-stay')) as HTMLSelectElement;
    expect(screen.getByRole('combobox', { name: 'Stay' })).toBe(menu);
    expect([...menu.options].map((o) => o.textContent)).toEqual([
      'All stays',
      '6–10 Nov · HM8Q2JX4TB',
      '13–15 Nov · Blocked',
      '17–20 Nov · HMQ4X2ZP8R',
      '22–26 Nov · phone …7730',
      '26–29 Nov · HMX7R3NB2C',
      '1–4 Dec · Blocked',
    ]);
    await fireEvent.change(menu, { target: { value: '12' } });
    await waitFor(() => expect(lastQuery(backend)).toEqual({ doorIds: [], stayId: 12, limit: 100 }));
    await waitFor(() => {
      const shown = screen.getAllByTestId('history-row');
      expect(shown.every((r) => within(r).getByTestId('stay-mark').textContent!.length > 0)).toBe(true);
      expect(shown.map((r) => visible(within(r).getByTestId('stay-mark')))).toContain('Arrival · stay 22–26 Nov');
    });
    const arrival = screen.getAllByTestId('history-row').find((r) => visible(within(r).getByTestId('stay-mark'))?.startsWith('Arrival'))!;
    expect(arrival.textContent).toContain('Sofia Rossi');
    expect(screen.getByTestId('history-count').textContent).toMatch(/matching unlock/);
    await fireEvent.click(screen.getByTestId('history-clear'));
    await waitFor(() => expect(lastQuery(backend)).toEqual({ doorIds: [], limit: 100 }));
    expect(menu.value).toBe('');
  });

  it('speaks Bokmål', async () => {
    await open({ rows: MARKED, language: 'nb' });
    expect(visible(markOf('arrival'))).toBe('Ankomst · opphold 22.–26. nov.');
    expect(visible(markOf('found'))).toBe('Funnet likevel');
    expect(visible(markOf('guest'))).toBe('Gjest');
    expect(visible(markOf('staff'))).toBe('Personale');
    expect(visible(markOf('vacant'))).toBe('Ledig');
    expect(visible(markOf('blocked'))).toBe('Blokkert');
    await fireEvent.focus(rowById('vacant'));
    expect(within(rowById('vacant')).getByTestId('row-staff').textContent).toBe('Dette er personale');
    await fireEvent.focus(rowById('staff'));
    expect(within(rowById('staff')).getByTestId('row-staff').textContent).toBe('Ikke personale');
    const menu = screen.getByRole('combobox', { name: 'Opphold' }) as HTMLSelectElement;
    expect(menu.options[0]!.textContent).toBe('Alle opphold');
    expect([...menu.options].map((o) => o.textContent)).toContain('22.–26. nov. · telefon …7730');
  });
});
