// What the window asks for after a change, counted call by call on the sample backend: one
// new unlock refetches the history's head and its chart (one daily-counts call), nothing
// else; a check that found nothing asks for nothing, its time written from the event; the
// Status tab's counts are refetched only while it is shown.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';
import type { HistoryQueryView } from '../src/ipc/backend';
import { NOW } from './render';

const settle = () => new Promise((r) => setTimeout(r, 20));
const methods = (backend: FakeBackend) => backend.calls.map((c) => c.method).sort();

async function opened(backend: FakeBackend) {
  render(App, { props: { backend } });
  await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(0));
  await waitFor(() => expect(screen.getByTestId('chart-total')).toBeTruthy());
  await settle();
  backend.calls = [];
}

describe('the window after a change', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one new unlock costs the history head and one chart call, no overview or doors', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    await opened(backend);
    const row = backend.addUnlock();
    await waitFor(() => expect(screen.getAllByTestId('history-row')[0]!.dataset.id).toBe(row.id));
    await settle();
    expect(methods(backend)).toEqual(['dailyCounts', 'history']);
    expect(screen.getByTestId('header-status').textContent?.trim()).toBe('Checked just now');
  });

  it('a check that found nothing asks for nothing, and the header shows its time', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    await opened(backend);
    expect(screen.getByTestId('header-status').textContent?.trim()).toBe('Checked 2 minutes ago');
    backend.status = { ...backend.status, lastCheck: NOW - 1_000 };
    backend.emitChecked();
    await waitFor(() => expect(screen.getByTestId('header-status').textContent?.trim()).toBe('Checked just now'));
    // An event with nothing set (a sync that stored nothing) asks for nothing either.
    backend.emitChanged({});
    await settle();
    expect(backend.calls).toEqual([]);
  });

  it('only new doors refetch the doors, and only a status change the overview', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    await opened(backend);
    backend.emitChanged({ doors: true });
    await settle();
    // History's door filter and Settings' door lists.
    expect(methods(backend)).toEqual(['doors', 'doors']);
    backend.calls = [];
    backend.emitChanged({ overview: true });
    await settle();
    expect(methods(backend)).toEqual(['overview']);
  });

  it('the Status tab refetches its counts after a check only while it is shown', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    await opened(backend);
    backend.emitChecked();
    await settle();
    expect(backend.calls).toEqual([]);
    // Opening Status with counts behind: one overview (and its booking calendars, read
    // each time Status opens).
    await fireEvent.click(screen.getByTestId('nav-status'));
    await screen.findByTestId('status-panel');
    await settle();
    expect(methods(backend)).toEqual(['feeds', 'overview']);
    backend.calls = [];
    backend.emitChecked();
    await settle();
    expect(methods(backend)).toEqual(['overview']);
  });

  it('the filtered chart is one daily-counts call with the filters', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    await opened(backend);
    await fireEvent.change(screen.getByTestId('history-door'), { target: { value: 'door-front' } });
    await waitFor(() => expect(screen.getByTestId('chart-total').textContent).toMatch(/matching/));
    await settle();
    const charts = backend.callsTo('dailyCounts').map((a) => a[0] as HistoryQueryView);
    expect(charts).toHaveLength(1);
    expect(charts[0]!.doorIds).toEqual(['door-front']);
    expect(backend.callsTo('history')).toHaveLength(1);
  });
});
