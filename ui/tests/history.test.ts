// History: the queries the view sends for search, door and date filters and paging; the
// late badge, "Someone", the chart's zero-filled days; refetch on `changed`; open-event.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import History from '../src/views/History.svelte';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';
import type { HistoryQueryView, HistoryRowView } from '../src/ipc/backend';
import { NOW, renderWith } from './render';

const MIN = 60_000;

function lastQuery(backend: FakeBackend): HistoryQueryView {
  const calls = backend.callsTo('history');
  return calls[calls.length - 1]![0] as HistoryQueryView;
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
    const before = backend.callsTo('history').length;
    const search = screen.getByTestId('history-search');
    await fireEvent.input(search, { target: { value: 'am' } });
    await fireEvent.input(search, { target: { value: ' amira ' } });
    await waitFor(() => expect(lastQuery(backend).text).toBe('amira'));
    // Debounced: one query for the two keystrokes.
    expect(backend.callsTo('history').length).toBe(before + 1);
    const shown = await rows();
    expect(shown.every((r) => r.textContent!.includes('Amira Haddad'))).toBe(true);
  });

  it('filters by door and by local days, `to` being the end of the chosen day', async () => {
    const backend = new FakeBackend({ now: NOW });
    renderWith(History, { version: 0, focus: null }, backend);
    await rows();
    const door = screen.getByTestId('history-door') as HTMLSelectElement;
    await waitFor(() => expect(door.options.length).toBe(5));
    await fireEvent.change(door, { target: { value: 'door-lobby' } });
    await waitFor(() => expect(lastQuery(backend).doorIds).toEqual(['door-lobby']));

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
    const chart = await screen.findByRole('img', { name: /Unlocks per day over the last 14 days: 3 in total/ });
    expect(chart.querySelectorAll('rect')).toHaveLength(14);
    const [from, to] = backend.callsTo('dailyCounts')[0] as [number, number];
    expect(from).toBe(new Date(2025, 10, 13).getTime());
    expect(to).toBeGreaterThan(Date.now());
    const table = screen.getByRole('table', { name: 'Unlocks per day' });
    expect(table.querySelectorAll('tbody tr')).toHaveLength(14);
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
