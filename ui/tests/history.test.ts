// History: the queries the view sends for search, place, door and "When" filters and paging;
// day headings; the late badge, repeat and muted tags, "Someone"; the chart's zero-filled
// days, its filters, its bars as day filters and days with no data; rows reachable by
// keyboard with their details; refetch on `changed`; open-event.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import History from '../src/views/History.svelte';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';
import type { HistoryQueryView, HistoryRowView } from '../src/ipc/backend';
import { NOW, renderWith } from './render';

const MIN = 60_000;

/** The list's queries; the chart's per-day counts (`limit: 1`) are left out. */
function listQueries(backend: FakeBackend): HistoryQueryView[] {
  return backend
    .callsTo('history')
    .map((args) => args[0] as HistoryQueryView)
    .filter((q) => q.limit !== 1);
}

function lastQuery(backend: FakeBackend): HistoryQueryView {
  const queries = listQueries(backend);
  return queries[queries.length - 1]!;
}

function row(id: string, minutesAgo: number, extra: Partial<HistoryRowView> = {}): HistoryRowView {
  const at = NOW - minutesAgo * MIN;
  return {
    id,
    unlockedAt: at,
    createdAt: at + 1000,
    timestamp: at,
    doorId: 'door-front',
    door: 'Front door',
    user: 'Amira Haddad',
    notification: 'notified',
    lateByMs: null,
    placeId: null,
    placeName: null,
    repeat: false,
    muted: false,
    duplicateOf: null,
    stay: null,
    staffRef: null,
    isStaff: false,
    ...extra,
  };
}

async function rows(): Promise<HTMLElement[]> {
  return waitFor(() => {
    const found = screen.getAllByTestId('history-row');
    expect(found.length).toBeGreaterThan(0);
    return found;
  });
}

describe('history', () => {
  // Only the date is fixed; timers stay real so debouncing and waitFor work as in the app.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks for the first page newest first, and shows the total', async () => {
    const backend = new FakeBackend({ now: NOW });
    renderWith(History, { version: 0, focus: null }, backend);
    expect(await rows()).toHaveLength(100);
    expect(lastQuery(backend)).toEqual({ doorIds: [], limit: 100 });
    expect(screen.getByText('Showing 100 of 240 unlocks')).toBeTruthy();
  });

  it('searches after the user pauses typing, with the trimmed text', async () => {
    const backend = new FakeBackend({ now: NOW });
    renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    const before = listQueries(backend).length;
    const search = screen.getByTestId('history-search');
    await fireEvent.input(search, { target: { value: 'am' } });
    await fireEvent.input(search, { target: { value: ' amira ' } });
    await waitFor(() => expect(lastQuery(backend).text).toBe('amira'));
    // Debounced: one query for the two keystrokes.
    expect(listQueries(backend).length).toBe(before + 1);
    // The rows of the previous filter stay until the answer replaces them.
    await waitFor(async () => expect((await rows()).every((r) => r.textContent!.includes('Amira Haddad'))).toBe(true));
  });

  it('filters by door and by custom local days, `to` being the end of the chosen day', async () => {
    const backend = new FakeBackend({ now: NOW });
    renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    const door = screen.getByTestId('history-door') as HTMLSelectElement;
    await waitFor(() => expect(door.options.length).toBe(5));
    await fireEvent.change(door, { target: { value: 'door-lobby' } });
    await waitFor(() => expect(lastQuery(backend).doorIds).toEqual(['door-lobby']));

    // Date fields appear only for Custom, filled with the range they apply.
    expect(screen.queryByTestId('history-from')).toBeNull();
    await fireEvent.change(screen.getByTestId('history-when'), { target: { value: 'custom' } });
    expect((screen.getByTestId('history-from') as HTMLInputElement).value).toBe('2025-11-20');
    expect((screen.getByTestId('history-to') as HTMLInputElement).value).toBe('2025-11-26');
    await fireEvent.input(screen.getByTestId('history-from'), { target: { value: '2025-11-20' } });
    await fireEvent.input(screen.getByTestId('history-to'), { target: { value: '2025-11-22' } });
    await waitFor(() =>
      expect(lastQuery(backend)).toEqual({
        doorIds: ['door-lobby'],
        from: new Date(2025, 10, 20).getTime(),
        to: new Date(2025, 10, 23).getTime(),
        limit: 100,
      }),
    );
    for (const r of await rows()) expect(r.textContent).toContain('Lobby');
  });

  it('loads the next page with the keyset cursor', async () => {
    const backend = new FakeBackend({ now: NOW });
    renderWith(History, { version: 0, focus: null }, backend);
    const first = await rows();
    const last = first[first.length - 1]!;
    const lastRow = backend.rows.find((r) => r.id === last.dataset.id)!;
    await fireEvent.click(screen.getByTestId('history-more'));
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(200));
    expect(lastQuery(backend).before).toEqual({ unlockedAt: lastRow.unlockedAt, id: lastRow.id });
    await fireEvent.click(screen.getByTestId('history-more'));
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(240));
    expect(screen.queryByTestId('history-more')).toBeNull();
    const ids = screen.getAllByTestId('history-row').map((r) => r.dataset.id);
    expect(new Set(ids).size).toBe(240);
  });

  it('shows the late badge, "Someone" for unnamed people, and the notified marker', async () => {
    const backend = new FakeBackend({
      now: NOW,
      rows: [
        row('late', 5, { lateByMs: 3 * 60 * MIN, notification: 'suppressed' }),
        row('anon', 10, { user: null }),
      ],
    });
    renderWith(History, { version: 0, focus: null }, backend);
    const [late, anon] = await rows();
    expect(late!.querySelector('[data-testid="late-badge"]')!.textContent).toMatch(/reported 3 hr late/);
    expect(late!.textContent).not.toContain('Notified');
    expect(anon!.textContent).toContain('Someone');
    expect(anon!.textContent).toContain('Notified');
    expect(anon!.querySelector('[data-testid="late-badge"]')).toBeNull();
  });

  it('charts the last 14 days with zeros filled in', async () => {
    const backend = new FakeBackend({ now: NOW, rows: [row('a', 5), row('b', 6), row('c', 3 * 24 * 60)] });
    renderWith(History, { version: 0, focus: null }, backend);
    const chart = await screen.findByTestId('history-chart');
    await waitFor(() => expect(screen.getByTestId('chart-total').textContent).toBe('3 unlocks'));
    const bars = within(chart).getAllByTestId('chart-bar');
    expect(bars).toHaveLength(14);
    expect(bars[13]!.getAttribute('aria-label')).toBe('Wed 26 Nov: 2 unlocks');
    expect(bars[10]!.getAttribute('aria-label')).toBe('Sun 23 Nov: 1 unlock');
    expect(bars[0]!.getAttribute('aria-label')).toBe('Thu 13 Nov: 0 unlocks');
    // Today is told apart by its label, not only by colour.
    expect(chart.textContent).toContain('Today');
    const [chartQuery] = backend.callsTo('dailyCounts')[0] as [HistoryQueryView];
    expect(chartQuery.from).toBe(new Date(2025, 10, 13).getTime());
    expect(chartQuery.to).toBe(new Date(2025, 10, 27).getTime());
    expect(backend.callsTo('dailyCounts')).toHaveLength(1);
    const table = screen.getByRole('table', { name: 'Unlocks per day' });
    expect(table.querySelectorAll('tbody tr')).toHaveLength(14);
  });

  it('writes "1 unlock" under the chart, not "1 unlocks"', async () => {
    const backend = new FakeBackend({ now: NOW, rows: [row('a', 5)] });
    renderWith(History, { version: 0, focus: null }, backend);
    await waitFor(() => expect(screen.getByTestId('chart-total').textContent).toBe('1 unlock'));
    expect(screen.getByTestId('history-count').textContent?.trim()).toBe('1 unlock');
  });

  it('draws days before Doorpost started watching as no data, not as zero', async () => {
    const backend = new FakeBackend({ now: NOW, rows: [row('a', 5), row('b', 2 * 24 * 60)] });
    const watchingSince = new Date(2025, 10, 20, 9, 30).getTime();
    renderWith(History, { version: 0, focus: null, watchingSince }, backend);
    const bars = await waitFor(() => {
      const found = screen.getAllByTestId('chart-bar');
      expect(found).toHaveLength(14);
      return found;
    });
    const noData = bars.filter((b) => b.dataset.noData === 'true').map((b) => b.dataset.day);
    // 13 to 19 November ended before watching began; the 20th is partly watched.
    expect(noData).toEqual(['2025-11-13', '2025-11-14', '2025-11-15', '2025-11-16', '2025-11-17', '2025-11-18', '2025-11-19']);
    expect(bars[0]!.getAttribute('aria-label')).toBe('Thu 13 Nov: no data, Doorpost was not watching yet');
    expect((bars[0] as HTMLButtonElement).disabled).toBe(true);
    expect(bars[7]!.getAttribute('aria-label')).toBe('Thu 20 Nov: 0 unlocks');
    expect(screen.getByRole('table', { name: 'Unlocks per day' }).textContent).toContain('No data');
  });

  it('the chart follows the door and search filters, and a bar filters to its day', async () => {
    const rowsOf = [
      row('a', 5, { doorId: 'door-lobby', door: 'Lobby' }),
      row('b', 6),
      row('c', 24 * 60 + 30, { doorId: 'door-lobby', door: 'Lobby' }),
      row('d', 3 * 24 * 60),
    ];
    const backend = new FakeBackend({ now: NOW, rows: rowsOf });
    renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    await waitFor(() => expect(screen.getByTestId('chart-total').textContent).toBe('4 unlocks'));
    await fireEvent.change(screen.getByTestId('history-door'), { target: { value: 'door-lobby' } });
    await waitFor(() => expect(screen.getByTestId('chart-total').textContent).toBe('2 matching unlocks'));
    const bar = (day: string) => screen.getAllByTestId('chart-bar').find((b) => b.dataset.day === day)!;
    expect(bar('2025-11-25').getAttribute('aria-label')).toBe('Tue 25 Nov: 1 unlock');

    // A bar is a day filter: yesterday's is "Yesterday" in the When menu.
    await fireEvent.click(bar('2025-11-25'));
    await waitFor(() =>
      expect(lastQuery(backend)).toEqual({
        doorIds: ['door-lobby'],
        from: new Date(2025, 10, 25).getTime(),
        to: new Date(2025, 10, 26).getTime(),
        limit: 100,
      }),
    );
    expect((screen.getByTestId('history-when') as HTMLSelectElement).value).toBe('yesterday');
    expect(bar('2025-11-25').getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(screen.getAllByTestId('history-row').map((r) => r.dataset.id)).toEqual(['c']));
    // An older day becomes custom dates; choosing it again shows every day.
    await fireEvent.click(bar('2025-11-23'));
    await waitFor(() => expect((screen.getByTestId('history-from') as HTMLInputElement).value).toBe('2025-11-23'));
    expect((screen.getByTestId('history-to') as HTMLInputElement).value).toBe('2025-11-23');
    await fireEvent.click(bar('2025-11-23'));
    await waitFor(() => expect(lastQuery(backend)).toEqual({ doorIds: ['door-lobby'], limit: 100 }));
    expect(screen.queryByTestId('history-from')).toBeNull();
  });

  it('offers one When menu: any time, today, yesterday, last 7 days, custom', async () => {
    const backend = new FakeBackend({ now: NOW });
    renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    const when = screen.getByTestId('history-when') as HTMLSelectElement;
    expect(screen.getByRole('combobox', { name: 'When' })).toBe(when);
    expect([...when.options].map((o) => o.textContent)).toEqual(['Any time', 'Today', 'Yesterday', 'Last 7 days', 'Custom…']);
    const day = (d: number) => new Date(2025, 10, d).getTime();
    for (const [value, from, to] of [
      ['today', day(26), day(27)],
      ['yesterday', day(25), day(26)],
      ['week', day(20), day(27)],
    ] as const) {
      await fireEvent.change(when, { target: { value } });
      await waitFor(() => expect(lastQuery(backend)).toEqual({ doorIds: [], from, to, limit: 100 }));
      expect(screen.queryByTestId('history-from')).toBeNull();
    }
    await fireEvent.change(when, { target: { value: 'any' } });
    await waitFor(() => expect(lastQuery(backend)).toEqual({ doorIds: [], limit: 100 }));
    expect(screen.queryByTestId('history-clear')).toBeNull();
  });

  it('puts rows under day headings: Today, Yesterday, then the date', async () => {
    const backend = new FakeBackend({
      now: NOW,
      rows: [row('a', 5), row('b', 60), row('c', 24 * 60), row('d', 3 * 24 * 60), row('e', 12 * 24 * 60)],
    });
    renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    const headings = screen.getAllByTestId('history-day');
    expect(headings.map((h) => h.textContent?.trim())).toEqual(['Today', 'Yesterday', 'Sun 23 Nov', 'Fri 14 Nov']);
    const today = screen.getByRole('list', { name: 'Today' });
    expect(within(today).getAllByTestId('history-row').map((r) => r.dataset.id)).toEqual(['a', 'b']);
  });

  it('tags repeats and unlocks at a muted door, in words a screen reader reads', async () => {
    const backend = new FakeBackend({
      now: NOW,
      rows: [row('rep', 5, { repeat: true, notification: 'suppressed' }), row('mut', 10, { muted: true, notification: 'suppressed' }), row('first', 60)],
    });
    renderWith(History, { version: 0, focus: null }, backend);
    const [rep, mut, first] = await rows();
    const tag = within(rep!).getByTestId('repeat-tag');
    expect(tag.textContent).toBe("Repeat: not this person's first unlock here today, so it didn't notify");
    expect(within(mut!).getByTestId('muted-tag').textContent).toBe("Muted: its door was muted, so it didn't notify");
    expect(within(first!).queryByTestId('repeat-tag')).toBeNull();
    expect(within(first!).queryByTestId('muted-tag')).toBeNull();
  });

  it('tags a second upload of one unlock, in both languages', async () => {
    for (const [lang, text] of [
      ['en', 'Duplicate upload: the lock sent this unlock to Parakey twice, so it notified once'],
      ['nb', 'Dobbel opplasting: låsen sendte denne opplåsingen til Parakey to ganger, så den varslet én gang'],
    ] as const) {
      const backend = new FakeBackend({
        now: NOW,
        rows: [row('again', 5, { duplicateOf: 'first', notification: 'suppressed' }), row('first', 5)],
      });
      const view = renderWith(History, { version: 0, focus: null }, backend, lang);
      const found = await rows();
      const again = found.find((r) => r.dataset.id === 'again')!;
      const first = found.find((r) => r.dataset.id === 'first')!;
      expect(within(again).getByTestId('duplicate-tag').textContent).toBe(text);
      expect(within(first).queryByTestId('duplicate-tag')).toBeNull();
      view.unmount();
    }
  });

  it('hides the repeat tag where the door notifies every unlock', async () => {
    const backend = new FakeBackend({ now: NOW, rows: [row('rep', 5, { repeat: true })] });
    const settings = { ...backend.settings, notifyMode: 'every' as const };
    renderWith(History, { version: 0, focus: null, settings }, backend);
    const [rep] = await rows();
    expect(within(rep!).queryByTestId('repeat-tag')).toBeNull();
  });

  it('lets the keyboard reach each row, its full date and why it was late', async () => {
    const backend = new FakeBackend({
      now: NOW,
      rows: [row('late', 5, { lateByMs: 10 * 60 * MIN, notification: 'suppressed' }), row('b', 10), row('c', 20)],
    });
    renderWith(History, { version: 0, focus: null }, backend);
    const [late, b, c] = await rows();
    // One row is in the tab order; arrows move between rows.
    expect([late, b, c].map((r) => r!.tabIndex)).toEqual([0, -1, -1]);
    const details = within(late!).getByTestId('row-details');
    expect(details.textContent).toContain('Wednesday, 26 November 2025 at 14:55');
    expect(details.textContent).toContain(
      "Parakey received this unlock 10 hours after it happened, so it was kept but didn't notify.",
    );
    expect(within(late!).getByTestId('late-badge').textContent).toBe('reported 10 hr late');
    late!.focus();
    await fireEvent.keyDown(late!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(b);
    await fireEvent.keyDown(b!, { key: 'End' });
    expect(document.activeElement).toBe(c);
    await waitFor(() => expect(c!.tabIndex).toBe(0));
    expect(late!.tabIndex).toBe(-1);
  });

  it('refetches on a change event instead of polling', async () => {
    const backend = new FakeBackend({ now: NOW, rows: [row('a', 5)] });
    const view = renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    backend.rows = [row('new', 1, { door: 'Lobby' }), ...backend.rows];
    await view.rerender({ version: 1, focus: null });
    await waitFor(() => expect(screen.getAllByTestId('history-row').map((r) => r.dataset.id)).toEqual(['new', 'a']));
    expect(backend.callsTo('dailyCounts')).toHaveLength(2);
  });

  it('exports the current filter and says where the file went', async () => {
    const backend = new FakeBackend({ now: NOW });
    renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    await fireEvent.change(screen.getByTestId('history-door'), { target: { value: 'door-front' } });
    await waitFor(() => expect(lastQuery(backend).doorIds).toEqual(['door-front']));
    await fireEvent.click(screen.getByTestId('history-export'));
    const message = await screen.findByText(/^Saved \d+ rows to \/home\/you\/Downloads\/doorpost-unlocks\.csv$/);
    const total = backend.rows.filter((r) => r.doorId === 'door-front').length;
    expect(message.textContent).toBe(`Saved ${total} rows to /home/you/Downloads/doorpost-unlocks.csv`);
    expect(backend.callsTo('exportCsv')).toEqual([[{ doorIds: ['door-front'] }]]);
  });

  it('an open event switches to History, clears filters and highlights the unlock', async () => {
    const backend = new FakeBackend({ now: NOW });
    render(App, { props: { backend } });
    await rows();
    await fireEvent.click(screen.getByTestId('nav-status'));
    await screen.findByTestId('status-panel');
    await fireEvent.input(screen.getByTestId('history-search'), { target: { value: 'Chen' } });
    await waitFor(() => expect(lastQuery(backend).text).toBe('Chen'));

    const target = backend.rows[150]!; // on the second page, and maybe not Chen's
    backend.emitOpenEvent(target.id);
    await waitFor(() => {
      const el = screen.getAllByTestId('history-row').find((r) => r.dataset.id === target.id);
      expect(el?.getAttribute('aria-current')).toBe('true');
      expect(document.activeElement).toBe(el);
    });
    expect(screen.getByTestId('nav-history').getAttribute('aria-current')).toBe('page');
    expect((screen.getByTestId('history-search') as HTMLInputElement).value).toBe('');
  });
});

describe('history with two places', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function twoPlaces() {
    const backend = new FakeBackend({ mode: 'account', now: NOW, places: 2 });
    const overview = await backend.overview();
    backend.calls = [];
    renderWith(History, { version: 0, focus: null, places: overview.places, settings: overview.settings }, backend);
    await rows();
    return backend;
  }

  it('filters by place and shows the place beside the door', async () => {
    const backend = await twoPlaces();
    const place = screen.getByTestId('history-place') as HTMLSelectElement;
    expect(screen.getByRole('combobox', { name: 'Place' })).toBe(place);
    expect([...place.options].map((o) => o.textContent)).toEqual(['All places', 'Harbour Loft', 'Old Town Studio']);
    const first = screen.getAllByTestId('history-row').map((r) => r.textContent ?? '');
    expect(first.some((t) => t.includes('Harbour Loft · Front door'))).toBe(true);
    expect(first.some((t) => t.includes('Old Town Studio · Front door'))).toBe(true);

    await fireEvent.change(place, { target: { value: 'place-oldtown' } });
    await waitFor(() => expect(lastQuery(backend)).toEqual({ doorIds: [], placeIds: ['place-oldtown'], limit: 100 }));
    await waitFor(() => {
      const shown = screen.getAllByTestId('history-row');
      expect(shown.every((r) => r.textContent!.includes('Old Town Studio · '))).toBe(true);
    });
    // The door menu now lists only that place's doors; the chart follows the place.
    const door = screen.getByTestId('history-door') as HTMLSelectElement;
    expect([...door.options].map((o) => o.textContent)).toEqual(['All doors', 'Front door', 'Cellar']);
    const total = backend.rows.filter((r) => r.placeId === 'place-oldtown' && r.unlockedAt >= new Date(2025, 10, 13).getTime()).length;
    await waitFor(() => expect(screen.getByTestId('chart-total').textContent).toBe(`${total} matching unlocks`));
  });

  it('groups the door menu by place, so two front doors can be told apart', async () => {
    await twoPlaces();
    const door = screen.getByTestId('history-door') as HTMLSelectElement;
    await waitFor(() => expect(door.querySelectorAll('optgroup')).toHaveLength(2));
    const groups = [...door.querySelectorAll('optgroup')].map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.textContent)]);
    expect(groups).toEqual([
      ['Harbour Loft', ['Front door', 'Lobby', 'Bike store', 'Loft 3B']],
      ['Old Town Studio', ['Front door', 'Cellar']],
    ]);
    // A door at the other place is dropped when a place is chosen.
    await fireEvent.change(door, { target: { value: 'door-lobby' } });
    await fireEvent.change(screen.getByTestId('history-place'), { target: { value: 'place-oldtown' } });
    expect(door.value).toBe('');
  });

  it('hides the place filter and place names with one place', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    const overview = await backend.overview();
    renderWith(History, { version: 0, focus: null, places: overview.places, settings: overview.settings }, backend);
    const shown = await rows();
    expect(screen.queryByTestId('history-place')).toBeNull();
    expect(shown.some((r) => r.textContent!.includes('Harbour Loft'))).toBe(false);
  });
});

describe('history in Norwegian', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('speaks Bokmål, with Norwegian plurals and day words', async () => {
    const backend = new FakeBackend({
      now: NOW,
      rows: [row('a', 5, { user: null }), row('b', 24 * 60 + 10), row('c', 3 * 24 * 60, { lateByMs: 3 * 60 * MIN })],
    });
    renderWith(History, { version: 0, focus: null }, backend, 'nb');
    await rows();
    expect(screen.getByRole('heading', { name: 'Historikk' })).toBeTruthy();
    expect(screen.getAllByTestId('history-day').map((h) => h.textContent?.trim())).toEqual(['I dag', 'I går', 'søn. 23. nov.']);
    await waitFor(() => expect(screen.getByTestId('chart-total').textContent).toBe('3 opplåsinger'));
    expect(screen.getByTestId('history-count').textContent?.trim()).toBe('3 opplåsinger');
    const [a, , c] = screen.getAllByTestId('history-row');
    expect(a!.textContent).toContain('Noen');
    // Under its day heading a row gives the time of day; its details, the full date.
    expect(a!.querySelector('time')!.textContent).toMatch(/^14:55\s*for 5 minutter siden$/);
    expect(within(a!).getByTestId('row-details').textContent).toContain('onsdag 26. november 2025 kl. 14:55');
    expect(within(c!).getByTestId('late-badge').textContent).toBe('rapportert 3 timer for sent');
    expect([...(screen.getByTestId('history-when') as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      'Når som helst',
      'I dag',
      'I går',
      'Siste 7 dager',
      'Velg datoer …',
    ]);
  });
});
