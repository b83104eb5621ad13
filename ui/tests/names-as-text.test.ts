// Door and person names are data from Parakey: they must appear as literal text everywhere
// (history rows, the door filter, the door picker), never as markup.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';
import type { HistoryRowView } from '../src/ipc/backend';
import { NOW } from './render';

const IMG = '<img src=x onerror=alert(1)>';
const MARKUP = '<b>x</b> & <a href="y">';

function hostile(): FakeBackend {
  const doors = [
    { id: 'd-img', name: IMG },
    { id: 'd-markup', name: MARKUP },
  ];
  const rows: HistoryRowView[] = [
    { id: 'r1', unlockedAt: NOW - 60_000, createdAt: NOW, timestamp: NOW - 60_000, doorId: 'd-img', door: IMG, user: MARKUP, notification: 'notified', lateByMs: null, placeId: null, placeName: null, repeat: false, muted: false, duplicateOf: null, stay: null, staffRef: null, isStaff: false },
    { id: 'r2', unlockedAt: NOW - 120_000, createdAt: NOW, timestamp: NOW - 120_000, doorId: 'd-markup', door: MARKUP, user: IMG, notification: 'pending', lateByMs: 7_200_000, placeId: null, placeName: null, repeat: false, muted: false, duplicateOf: null, stay: null, staffRef: null, isStaff: false },
  ];
  return new FakeBackend({ now: NOW, doors, rows });
}

describe('names from Parakey', () => {
  it('render as literal text in history rows and the door filter', async () => {
    render(App, { props: { backend: hostile() } });
    const rows = await waitFor(() => {
      const found = screen.getAllByTestId('history-row');
      expect(found).toHaveLength(2);
      return found;
    });
    expect(rows[0]!.textContent).toContain(IMG);
    expect(rows[0]!.textContent).toContain(MARKUP);
    expect(rows[1]!.textContent).toContain(MARKUP);
    for (const r of rows) {
      expect(r.querySelector('img, b, a')).toBeNull();
    }
    const select = screen.getByTestId('history-door') as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.textContent)).toEqual(['All doors', IMG, MARKUP]));
    expect(document.body.querySelector('img, b, a[href="y"]')).toBeNull();
  });

  it('render as literal text in the door picker', async () => {
    render(App, { props: { backend: hostile() } });
    (await screen.findByTestId('nav-settings')).click();
    await waitFor(() => expect(screen.getAllByTestId('door-option')).toHaveLength(2));
    const picker = within(screen.getByRole('group', { name: 'Doors to watch' }));
    expect(picker.getByText(IMG)).toBeTruthy();
    expect(picker.getByText(MARKUP)).toBeTruthy();
    expect(document.body.querySelector('img, b, a[href="y"]')).toBeNull();
  });
});
