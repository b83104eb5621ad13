// Settings › Bookings and Staff against the sample backend: each feed's state in plain words
// (last read, stays found, the problem, out of date), adding with the shell's checks and the
// link never shown again, "Check now", removal after a confirmation; staff added by name,
// removed with an Undo; all in English and Norwegian.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import BookingsSettings from '../src/components/BookingsSettings.svelte';
import StaffSettings from '../src/components/StaffSettings.svelte';
import Settings from '../src/views/Settings.svelte';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';
import type { Language } from '../src/ipc/backend';
import { NOW, renderWith } from './render';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

async function bookings(language: Language = 'en', places: 1 | 2 = 1) {
  const backend = new FakeBackend({ mode: 'account', now: NOW, places });
  const overview = await backend.overview();
  renderWith(BookingsSettings, { places: overview.places, version: 0, now: NOW }, backend, language);
  await waitFor(() => expect(screen.getAllByTestId('feed').length).toBeGreaterThan(0));
  return backend;
}

const feed = (label: string) => screen.getAllByTestId('feed').find((f) => f.dataset.label === label)!;

async function type(testId: string, value: string) {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

describe('bookings', () => {
  it('lists each feed with when it was read, the stays found and its problem in plain words', async () => {
    await bookings();
    expect(screen.getByRole('heading', { name: 'Bookings' })).toBeTruthy();
    const airbnb = feed('Airbnb');
    expect(within(airbnb).getByTestId('feed-state').textContent).toBe('Read 12 minutes ago · 3 stays found');
    expect(within(airbnb).queryByTestId('feed-problem')).toBeNull();
    expect(within(airbnb).queryByTestId('feed-stale')).toBeNull();
    const booking = feed('Booking.com');
    expect(booking.textContent).toContain('Blocked nights');
    expect(within(booking).getByTestId('feed-problem').textContent!.replace(/\s+/g, ' ').trim()).toBe(
      'The link gives a web page (a login page?), not a calendar. Copy the export link again. Last good calendar 2 days ago.',
    );
    expect(within(booking).getByTestId('feed-stale').textContent).toBe(
      'Out of date: The last good calendar is more than a day old; Doorpost still uses its stays.',
    );
  });

  it('takes plain http only to this computer, as the shell does (a feed server on loopback)', async () => {
    const backend = await bookings();
    await fireEvent.click(screen.getByTestId('feed-add'));
    await type('feed-new-label', 'Loopback');
    await type('feed-new-url', 'http://localhost.example.com/cal.ics');
    await fireEvent.click(screen.getByTestId('feed-new-submit'));
    expect(screen.getByTestId('field-error').textContent).toBe('Only https:// links are read.');
    expect(backend.callsTo('addFeed')).toEqual([]);
    await type('feed-new-url', 'http://127.0.0.1:8080/feeds/airbnb.ics');
    await fireEvent.click(screen.getByTestId('feed-new-submit'));
    await waitFor(() => expect(backend.callsTo('addFeed')).toHaveLength(1));
    await screen.findByText('Loopback added to Harbour Loft. Doorpost reads it every 30 minutes.');
  });

  it('adds a feed: checks the name and the link first, and never shows the link again', async () => {
    const backend = await bookings();
    await fireEvent.click(screen.getByTestId('feed-add'));
    const label = screen.getByLabelText('Name');
    expect(document.activeElement).toBe(label);
    const link = screen.getByLabelText('Calendar link') as HTMLInputElement;
    expect(link.type).toBe('password');

    await type('feed-new-label', 'airbnb');
    await type('feed-new-url', 'http://example.com/cal.ics');
    await fireEvent.click(screen.getByTestId('feed-new-submit'));
    const errors = () => Object.fromEntries(screen.queryAllByTestId('field-error').map((e) => [e.dataset.field, e.textContent]));
    expect(errors()).toEqual({ label: 'This place already has a calendar with this name.', url: 'Only https:// links are read.' });
    expect(backend.callsTo('addFeed')).toEqual([]);

    // The shell reads the calendar first: a login page is refused under the link.
    await type('feed-new-label', 'VRBO');
    await type('feed-new-url', 'https://www.vrbo.com/login?next=cal');
    await fireEvent.click(screen.getByTestId('feed-new-submit'));
    await waitFor(() => expect(errors().url).toContain('a login page?'));
    await waitFor(() => expect(document.activeElement).toBe(link));

    await type('feed-new-url', 'https://www.vrbo.com/icalendar/secret-123.ics');
    await fireEvent.change(screen.getByTestId('feed-new-entries'), { target: { value: 'blocks' } });
    await fireEvent.click(screen.getByTestId('feed-new-vacant'));
    await fireEvent.click(screen.getByTestId('feed-new-submit'));
    const result = await screen.findByTestId('bookings-result');
    expect(result.textContent).toBe('VRBO added to Harbour Loft. Doorpost reads it every 30 minutes.');
    await waitFor(() => expect(document.activeElement).toBe(result));
    expect(backend.callsTo('addFeed').at(-1)).toEqual([
      { placeId: 'place-harbour', label: 'VRBO', url: '<redacted>', entries: 'blocks', blocksVacant: true },
    ]);
    await waitFor(() => expect(feed('VRBO').textContent).toContain('Blocked nights · blocks count as vacant'));
    expect(document.body.innerHTML).not.toContain('secret-123');
  });

  it('Cancel or Escape closes the form and gives focus back to its button', async () => {
    await bookings();
    await fireEvent.click(screen.getByTestId('feed-add'));
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('feed-add')));
    await fireEvent.click(screen.getByTestId('feed-add'));
    await fireEvent.keyDown(screen.getByLabelText('Calendar link'), { key: 'Escape' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('feed-add')));
    expect(screen.queryByTestId('feed-add-form')).toBeNull();
  });

  it('"Check now" reads the feed and says how it went', async () => {
    const backend = await bookings();
    await fireEvent.click(within(feed('Airbnb')).getByRole('button', { name: 'Check now: Airbnb' }));
    expect(await within(feed('Airbnb')).findByText('Airbnb checked.')).toBeTruthy();
    await waitFor(() => expect(within(feed('Airbnb')).getByTestId('feed-state').textContent).toBe('Read just now · 3 stays found'));
    await fireEvent.click(within(feed('Booking.com')).getByTestId('feed-check'));
    const alert = await within(feed('Booking.com')).findByRole('alert');
    expect(alert.textContent).toContain('Booking.com: The link gives a web page');
    expect(backend.callsTo('checkFeed')).toEqual([
      ['place-harbour', 'Airbnb'],
      ['place-harbour', 'Booking.com'],
    ]);
  });

  it('removes a feed only after a confirmation, which can be declined', async () => {
    const backend = await bookings();
    await fireEvent.click(within(feed('Booking.com')).getByRole('button', { name: 'Remove Booking.com…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove Booking.com?' });
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByTestId('feed-remove-confirm')));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(backend.callsTo('removeFeed')).toEqual([]);

    await fireEvent.click(within(feed('Booking.com')).getByTestId('feed-remove'));
    await fireEvent.click(screen.getByTestId('feed-remove-confirm'));
    expect((await screen.findByTestId('bookings-result')).textContent).toBe('Booking.com removed.');
    await waitFor(() => expect(screen.getAllByTestId('feed').map((f) => f.dataset.label)).toEqual(['Airbnb']));
  });

  it('groups feeds under each place when there are several', async () => {
    await bookings('en', 2);
    const places = screen.getAllByTestId('bookings-place');
    expect(places.map((p) => within(p).getByRole('heading').textContent)).toEqual(['Harbour Loft', 'Old Town Studio']);
    expect(within(places[1]!).getAllByTestId('feed').map((f) => f.dataset.label)).toEqual(['Airbnb']);
    expect(within(places[1]!).getByRole('button', { name: 'Add a booking calendar for Old Town Studio' })).toBeTruthy();
  });

  it('speaks Bokmål', async () => {
    await bookings('nb');
    expect(screen.getByRole('heading', { name: 'Bookinger' })).toBeTruthy();
    expect(within(feed('Airbnb')).getByTestId('feed-state').textContent).toBe('Hentet for 12 minutter siden · 3 opphold funnet');
    const booking = feed('Booking.com');
    expect(within(booking).getByTestId('feed-problem').textContent).toContain('Lenken gir en nettside (en innloggingsside?), ikke en kalender.');
    expect(within(booking).getByTestId('feed-problem').textContent).toContain('Sist hentet uten feil i forgårs.');
    expect(within(booking).getByTestId('feed-stale').textContent).toContain('Utdatert');
    await fireEvent.click(screen.getByRole('button', { name: 'Legg til en bookingkalender' }));
    await type('feed-new-label', 'VRBO');
    await type('feed-new-url', 'ftp://x');
    await fireEvent.click(screen.getByRole('button', { name: 'Sjekk og legg til' }));
    expect(screen.getByTestId('field-error').textContent).toBe('Bare https://-lenker leses.');
  });
});

describe('staff', () => {
  async function staff(language: Language = 'en') {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    renderWith(StaffSettings, { version: 0 }, backend, language);
    await waitFor(() => expect(screen.getAllByTestId('staff-person').length).toBe(1));
    return backend;
  }
  const people = () => screen.queryAllByTestId('staff-person').map((p) => p.querySelector('.who')!.textContent);

  it('lists staff, adds by name and says so', async () => {
    const backend = await staff();
    expect(people()).toEqual(['Maria (cleaning)']);
    await fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByTestId('field-error').textContent).toBe("Give the person's name.");
    expect(document.activeElement).toBe(screen.getByLabelText('Name'));
    await type('staff-new-name', '  Ola Vaktmester ');
    await fireEvent.click(screen.getByTestId('staff-add'));
    expect((await screen.findByTestId('staff-result')).textContent).toBe('Ola Vaktmester is marked staff.');
    await waitFor(() => expect(people()).toEqual(['Maria (cleaning)', 'Ola Vaktmester']));
    expect(backend.callsTo('addStaff')).toEqual([[{ kind: 'name', value: 'Ola Vaktmester' }]]);
    expect((screen.getByTestId('staff-new-name') as HTMLInputElement).value).toBe('');
  });

  it('removes with one click and an Undo in the message', async () => {
    const backend = await staff();
    await fireEvent.click(screen.getByRole('button', { name: 'Remove Maria (cleaning) from staff' }));
    const result = await screen.findByTestId('staff-result');
    expect(result.textContent).toBe('Maria (cleaning) is no longer staff. Undo');
    await waitFor(() => expect(people()).toEqual([]));
    expect(screen.getByTestId('staff-none').textContent).toBe('Nobody is marked staff.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('staff-result')));
    await fireEvent.click(screen.getByTestId('staff-undo'));
    await waitFor(() => expect(screen.getByTestId('staff-result').textContent).toBe('Maria (cleaning) is marked staff.'));
    await waitFor(() => expect(people()).toEqual(['Maria (cleaning)']));
    expect(backend.callsTo('removeStaff')).toEqual([[{ kind: 'name', value: 'Maria (cleaning)' }]]);
  });

  it('speaks Bokmål', async () => {
    await staff('nb');
    expect(screen.getByRole('heading', { name: 'Personale' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Fjern Maria (cleaning) fra personalet' }));
    expect((await screen.findByTestId('staff-result')).textContent).toBe('Maria (cleaning) er ikke lenger personale. Angre');
  });
});

describe('settings', () => {
  it('shows Bookings and Staff between places and the form', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    const overview = await backend.overview();
    renderWith(Settings, { overview, version: 0, onchange: () => {} }, backend);
    const headings = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
    expect(headings.slice(0, 4)).toEqual(['Parakey token', 'Bookings', 'Staff', 'Notifications']);
  });
});

describe('status', () => {
  it('says how each booking calendar read, in both languages', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    render(App, { props: { backend } });
    await fireEvent.click(await screen.findByTestId('nav-status'));
    const row = await screen.findByTestId('status-feeds');
    expect(within(row).getByRole('term').textContent).toBe('Bookings');
    expect(within(row).getAllByTestId('status-feed').map((f) => f.textContent)).toEqual([
      'Airbnb: Read 12 minutes ago · 3 stays found',
      'Booking.com: The link gives a web page (a login page?), not a calendar. Copy the export link again. Last good calendar 2 days ago. (Out of date)',
    ]);

    await fireEvent.click(screen.getByTestId('nav-settings'));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Language' }), { target: { value: 'nb' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('nav-status').textContent).toBe('Status'));
    await waitFor(() => expect(document.documentElement.lang).toBe('nb'));
    await fireEvent.click(screen.getByTestId('nav-status'));
    const nb = await screen.findByTestId('status-feeds');
    expect(within(nb).getAllByTestId('status-feed')[1]!.textContent).toBe(
      'Booking.com: Lenken gir en nettside (en innloggingsside?), ikke en kalender. Kopier eksportlenken på nytt. Sist hentet uten feil i forgårs. (Utdatert)',
    );
  });
});
