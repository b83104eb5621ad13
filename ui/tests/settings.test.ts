// Settings: inline messages from the form's own checks (nothing is sent) and from the
// shell's InvalidSettings fields; a sticky "Unsaved changes" bar that saves only what
// changed, discards, and keeps edits across tabs; notifications (mode, day start, quiet
// hours, door rules, mutes, test); privacy; the token; places (add, rename, notify mode,
// replace token, remove with confirmation); the language, applied at once.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Settings from '../src/views/Settings.svelte';
import App from '../src/App.svelte';
import { FakeBackend, DEFAULT_SETTINGS, type FakeOptions } from '../src/ipc/fake';
import type { Overview } from '../src/ipc/backend';
import { NOW, renderWith } from './render';

// Only the date is fixed; timers stay real so waitFor works as in the app.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

async function setup(tokenSet = true, options: FakeOptions = {}) {
  const backend = new FakeBackend({ mode: 'account', now: NOW, ...options });
  backend.tokenSet = tokenSet;
  const overview: Overview = await backend.overview();
  backend.calls = [];
  const onchange = vi.fn();
  const ondirty = vi.fn();
  const view = renderWith(Settings, { overview, version: 0, onchange, ondirty }, backend);
  await waitFor(() => expect(screen.getAllByTestId('door-option').length).toBeGreaterThanOrEqual(4));
  return { backend, onchange, ondirty, view };
}

function fieldErrors(): Record<string, string> {
  return Object.fromEntries(screen.queryAllByTestId('field-error').map((e) => [e.dataset.field!, e.textContent!]));
}

async function type(testId: string, value: string) {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

async function save() {
  await fireEvent.click(screen.getByTestId('settings-save'));
}

describe('settings', () => {
  it('starts from the saved settings, with nothing to save', async () => {
    await setup();
    expect((screen.getByTestId('settings-interval') as HTMLInputElement).value).toBe('5');
    expect((screen.getByTestId('settings-offset') as HTMLInputElement).value).toBe('10');
    expect((screen.getByTestId('settings-offset-unbounded') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('settings-notifications') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('settings-sound') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('settings-autostart') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('settings-notify-every') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('settings-quiet') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('settings-retention') as HTMLInputElement).value).toBe('90');
    expect((screen.getByTestId('settings-language') as HTMLSelectElement).value).toBe('system');
    expect(screen.getByText('Parakey recommends 5 minutes or more (1–60).')).toBeTruthy();
    expect(screen.getByText(/up to 7 days/)).toBeTruthy();
    expect(screen.getByText('A token is saved in your keychain.')).toBeTruthy();
    expect(screen.queryByTestId('settings-save-bar')).toBeNull();
  });

  it('names number fields with their unit', async () => {
    await setup();
    expect(screen.getByRole('textbox', { name: 'Notify about unlocks reported up to minutes late' })).toBe(
      screen.getByTestId('settings-offset'),
    );
    expect(screen.getByRole('textbox', { name: 'Check every minutes' })).toBe(screen.getByTestId('settings-interval'));
    expect(screen.getByRole('textbox', { name: "Forget guests' names after days" })).toBe(
      screen.getByTestId('settings-retention'),
    );
  });

  it('shows inline messages for invalid fields and sends nothing', async () => {
    const { backend } = await setup();
    await type('settings-interval', '0');
    await type('settings-offset', '2.5');
    for (const box of screen.getAllByTestId('door-option')) await fireEvent.click(box);
    await save();

    const errors = await waitFor(() => {
      const e = fieldErrors();
      expect(Object.keys(e).sort()).toEqual(['allowedOffset', 'pollIntervalMins', 'watchedDoors']);
      return e;
    });
    expect(errors.pollIntervalMins).toMatch(/1 to 60/);
    expect(screen.getByTestId('settings-interval').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('settings-interval').getAttribute('aria-describedby')).toContain('pollIntervalMins-error');
    // Focus goes to the first field to fix, in page order.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('settings-offset')));
    expect(backend.callsTo('saveSettings')).toEqual([]);

    for (const value of ['61', 'abc', '', '-1', '5 min']) {
      await type('settings-interval', value);
      await save();
      await waitFor(() => expect(fieldErrors().pollIntervalMins).toBeDefined());
    }
    await type('settings-offset', '10081');
    await save();
    expect(fieldErrors().allowedOffset).toMatch(/up to 10,080 \(7 days\)/);
    expect(backend.callsTo('saveSettings')).toEqual([]);
  });

  it('saves only what changed, from the sticky bar, "No limit" as unbounded', async () => {
    const { backend, onchange, ondirty } = await setup();
    await type('settings-interval', ' 15 ');
    expect(screen.getByTestId('settings-save-bar').textContent).toMatch(/Unsaved changes/);
    await waitFor(() => expect(ondirty).toHaveBeenLastCalledWith(true));
    await type('settings-offset', 'nonsense, but ignored');
    await fireEvent.click(screen.getByTestId('settings-offset-unbounded'));
    expect((screen.getByTestId('settings-offset') as HTMLInputElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('settings-notifications'));
    await fireEvent.click(screen.getByTestId('settings-sound'));
    await fireEvent.click(screen.getByTestId('settings-autostart'));
    const boxes = screen.getAllByTestId('door-option') as HTMLInputElement[];
    await fireEvent.click(boxes.find((b) => b.value === 'door-bikes')!);
    await save();

    const saved = await screen.findByText('Settings saved.');
    expect(backend.callsTo('saveSettings')).toEqual([
      [
        {
          pollIntervalMins: 15,
          allowedOffset: { mode: 'unbounded' },
          watchedDoors: { mode: 'only', doors: ['door-front', 'door-lobby', 'door-loft'] },
          notificationsEnabled: false,
          sound: true,
          autostart: true,
        },
      ],
    ]);
    expect(backend.settings).toEqual({
      ...DEFAULT_SETTINGS,
      pollIntervalMins: 15,
      allowedOffset: { mode: 'unbounded' },
      watchedDoors: { mode: 'only', doors: ['door-front', 'door-lobby', 'door-loft'] },
      notificationsEnabled: false,
      sound: true,
      autostart: true,
    });
    expect(onchange).toHaveBeenCalled();
    expect(fieldErrors()).toEqual({});
    // The bar is gone; focus is on what happened, not lost with the button.
    expect(screen.queryByTestId('settings-save-bar')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(saved));
    expect(ondirty).toHaveBeenLastCalledWith(false);
  });

  it('discards edits, and an edit taken back needs no saving', async () => {
    const { backend } = await setup();
    await type('settings-interval', '9');
    await type('settings-interval', '5');
    expect(screen.queryByTestId('settings-save-bar')).toBeNull();
    await type('settings-interval', '9');
    await fireEvent.click(screen.getByTestId('settings-discard'));
    expect((screen.getByTestId('settings-interval') as HTMLInputElement).value).toBe('5');
    expect(screen.queryByTestId('settings-save-bar')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Settings' })));
    expect(backend.callsTo('saveSettings')).toEqual([]);
  });

  it("puts the shell's InvalidSettings fields under their fields, including ones not on the form", async () => {
    const { backend } = await setup();
    backend.failures.set('saveSettings', {
      code: 'InvalidSettings',
      message: 'Some settings need a look.',
      fields: [
        {
          field: 'pollIntervalMins',
          problem: { code: 'outOfRange', min: 1, max: 60 },
          message: 'Choose between 1 and 60 minutes (Parakey recommends 5 or more).',
        },
        { field: 'backfillDays', problem: { code: 'outOfRange', min: 1, max: 90 }, message: 'Choose between 1 and 90 days.' },
      ],
    });
    await type('settings-interval', '7');
    await save();
    await waitFor(() =>
      expect(fieldErrors()).toEqual({
        // A problem this window has words for, in its words; one it has none for, in the shell's.
        pollIntervalMins: 'Enter a whole number of minutes from 1 to 60.',
        backfillDays: 'Choose between 1 and 90 days.',
      }),
    );
    expect(screen.getByRole('alert').textContent).toMatch(/Nothing was saved/);
    expect(screen.getByTestId('settings-save-bar')).toBeTruthy();
  });

  it('keeps unsaved edits when switching tabs, and marks the tab', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    render(App, { props: { backend } });
    await fireEvent.click(await screen.findByTestId('nav-settings'));
    await type('settings-interval', '12');
    await waitFor(() => expect(screen.getByTestId('nav-settings').textContent).toContain('unsaved changes'));
    await fireEvent.click(screen.getByTestId('nav-status'));
    await fireEvent.click(screen.getByTestId('nav-history'));
    backend.emitChanged(0);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    expect((screen.getByTestId('settings-interval') as HTMLInputElement).value).toBe('12');
    await save();
    await waitFor(() => expect(backend.settings.pollIntervalMins).toBe(12));
    await waitFor(() => expect(screen.getByTestId('nav-settings').textContent).toBe('Settings'));
  });
});

describe('notifications', () => {
  it('saves the notify mode and when the day starts for arrivals', async () => {
    const { backend } = await setup();
    expect(screen.queryByTestId('settings-day-starts')).toBeNull();
    const arrivals = screen.getByRole('radio', { name: 'Arrivals only' });
    expect(arrivals.getAttribute('aria-describedby')).toBe('notify-arrivals-hint');
    expect(screen.getByText(/first unlock of the day at a place/)).toBeTruthy();
    await fireEvent.click(arrivals);
    const dayStarts = screen.getByTestId('settings-day-starts') as HTMLInputElement;
    expect(dayStarts.value).toBe('04:00');
    await fireEvent.input(dayStarts, { target: { value: '05:30' } });
    await save();
    await waitFor(() => expect(backend.callsTo('saveSettings')).toEqual([[{ notifyMode: 'arrivals', dayStartsAt: '05:30' }]]));
  });

  it('checks quiet hours: both times, different, crossing midnight allowed', async () => {
    const { backend } = await setup();
    expect(screen.queryByTestId('settings-quiet-from')).toBeNull();
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Quiet hours' }));
    expect(screen.getByText(/one summary tells you what happened/)).toBeTruthy();
    const from = screen.getByTestId('settings-quiet-from') as HTMLInputElement;
    const to = screen.getByTestId('settings-quiet-to') as HTMLInputElement;
    expect([from.value, to.value]).toEqual(['22:00', '07:00']);
    expect(screen.getByTestId('settings-quiet-overnight').textContent).toMatch(/overnight/);

    await fireEvent.input(to, { target: { value: '22:00' } });
    await save();
    await waitFor(() => expect(fieldErrors().quietHours).toBe('Quiet hours must start and end at different times.'));
    expect(from.getAttribute('aria-invalid')).toBe('true');
    await fireEvent.input(to, { target: { value: '' } });
    await save();
    await waitFor(() => expect(fieldErrors().quietHours).toBe('Give both times, such as 22:00 to 07:00.'));
    expect(backend.callsTo('saveSettings')).toEqual([]);

    await fireEvent.input(from, { target: { value: '23:30' } });
    await fireEvent.input(to, { target: { value: '06:15' } });
    await save();
    await waitFor(() => expect(backend.callsTo('saveSettings')).toEqual([[{ quietHours: { from: '23:30', to: '06:15' } }]]));
    expect(fieldErrors()).toEqual({});

    // Off again is `null`.
    await fireEvent.click(screen.getByTestId('settings-quiet'));
    await save();
    await waitFor(() => expect(backend.callsTo('saveSettings')[1]).toEqual([{ quietHours: null }]));
  });

  it('gives doors their own rules; a rule that says nothing is dropped', async () => {
    const { backend } = await setup();
    const rules = screen.getByTestId('door-rules');
    expect(within(rules).getByText('Every door follows the settings above.')).toBeTruthy();
    const mode = within(rules).getByRole('combobox', { name: 'Notify about, at Lobby' }) as HTMLSelectElement;
    expect([...mode.options].map((o) => o.textContent)).toEqual(['As its place (every unlock)', 'Every unlock', 'Arrivals only']);
    await fireEvent.change(mode, { target: { value: 'arrivals' } });
    await fireEvent.click(within(rules).getByRole('checkbox', { name: 'Always notify about Front door, even in quiet hours' }));
    expect(within(rules).getByText('2 doors have rules of their own.')).toBeTruthy();
    // Arrivals at one door make the day's start matter.
    expect(screen.getByTestId('settings-day-starts')).toBeTruthy();
    await save();
    await waitFor(() =>
      expect(backend.callsTo('saveSettings')).toEqual([
        [
          {
            doorRules: [
              { doorId: 'door-lobby', mode: 'arrivals', alwaysNotify: false },
              { doorId: 'door-front', mode: null, alwaysNotify: true },
            ],
          },
        ],
      ]),
    );
    await fireEvent.change(mode, { target: { value: 'place' } });
    await save();
    await waitFor(() =>
      expect(backend.callsTo('saveSettings')[1]).toEqual([{ doorRules: [{ doorId: 'door-front', mode: null, alwaysNotify: true }] }]),
    );
  });

  it('mutes a door at once, and unmutes it', async () => {
    const { backend } = await setup();
    const rules = screen.getByTestId('door-rules');
    await fireEvent.click(within(rules).getByRole('button', { name: 'Mute Lobby' }));
    await fireEvent.click(await screen.findByTestId('door-mute-hour'));
    await waitFor(() => expect(backend.callsTo('muteDoor')).toEqual([['door-lobby', 'oneHour']]));
    const muted = await within(rules).findByTestId('door-muted');
    expect(muted.textContent).toBe('Muted until 16:00');
    await fireEvent.click(within(rules).getByRole('button', { name: 'Unmute Lobby' }));
    await waitFor(() => expect(within(rules).queryByTestId('door-muted')).toBeNull());
    expect(backend.callsTo('muteDoor')[1]).toEqual(['door-lobby', 'unmute']);
    expect(backend.callsTo('saveSettings')).toEqual([]);
  });

  it('sends a test notification', async () => {
    const { backend } = await setup();
    await fireEvent.click(screen.getByTestId('settings-test-notification'));
    await waitFor(() => expect(backend.callsTo('testNotification')).toHaveLength(1));
    expect((await screen.findByTestId('settings-test-notification-result')).textContent).toMatch(/^Sent\./);
  });
});

describe('privacy', () => {
  it("forgets guests' names after N days, or keeps them (null)", async () => {
    const { backend } = await setup();
    expect(screen.getByText(/Parakey itself forgets them after 90 days/)).toBeTruthy();
    await type('settings-retention', '0');
    await save();
    await waitFor(() => expect(fieldErrors().retentionDays).toMatch(/from 1 to 3,650/));
    await type('settings-retention', '30');
    await save();
    await waitFor(() => expect(backend.callsTo('saveSettings')).toEqual([[{ retentionDays: 30 }]]));
    await fireEvent.click(screen.getByTestId('settings-retention-keep'));
    expect((screen.getByTestId('settings-retention') as HTMLInputElement).disabled).toBe(true);
    await save();
    await waitFor(() => expect(backend.callsTo('saveSettings')[1]).toEqual([{ retentionDays: null }]));
  });
});

describe('the token', () => {
  it('replaces the token, showing the shell message when the keychain is missing', async () => {
    const { backend, onchange } = await setup();
    expect(screen.getByTestId('token-save').textContent).toMatch(/Replace token/);
    backend.failures.set('setPlaceToken', {
      code: 'KeychainUnavailable',
      message: 'No keychain is available. Install and unlock gnome-keyring, then try again.',
      fields: [],
    });
    await type('token-input', 'pk_live_abcdefgh');
    await fireEvent.click(screen.getByTestId('token-save'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/gnome-keyring/);
    await fireEvent.click(screen.getByTestId('token-save'));
    await screen.findByText('Connected. Found 4 doors and 240 recent unlocks. The new token is in your keychain.');
    expect(backend.callsTo('setPlaceToken')[1]).toEqual(['place-harbour', 'pk_live_abcdefgh']);
    expect((screen.getByTestId('token-input') as HTMLInputElement).value).toBe('');
    expect(onchange).toHaveBeenCalled();
  });

  it('clears the token after confirming; Escape backs out; focus lands on the result', async () => {
    const { backend } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Clear token' }));
    const dialog = screen.getByRole('alertdialog');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Clear token' }));
    expect(backend.callsTo('clearToken')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Clear token' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove token' }));
    await waitFor(() => expect(backend.callsTo('clearToken')).toHaveLength(1));
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Token removed from your keychain.'));
  });
});

describe('a field being edited', () => {
  it('is not written over when a check finishes and nothing saved changed', async () => {
    const { backend, view } = await setup();
    const interval = screen.getByTestId('settings-interval') as HTMLInputElement;
    // Cleared, as a key press does before its input event reaches the form.
    interval.value = '';
    const overview = await backend.overview();
    await view.rerender({ overview: { ...overview, status: { ...overview.status, lastCheck: Date.now() } } });
    expect(interval.value).toBe('');
  });
});

describe('places', () => {
  it('with one place, stays as simple as before and offers to add another', async () => {
    const { backend, onchange } = await setup();
    expect(screen.queryByTestId('place')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Add another place' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('place-new-name')));
    await fireEvent.click(screen.getByTestId('place-add-save'));
    expect(fieldErrors()).toEqual({ name: 'Give the place a name.', token: "Paste the place's token." });
    await type('place-new-name', 'harbour loft');
    await type('place-new-token', 'pk_live_second');
    await fireEvent.click(screen.getByText('Advanced'));
    await type('place-new-api-url', 'http://example.com');
    await fireEvent.click(screen.getByTestId('place-add-save'));
    expect(fieldErrors()).toEqual({
      name: 'Another place already has this name.',
      apiUrl: 'Use an address starting with https:// (http:// only to this computer).',
    });
    expect(backend.callsTo('addPlace')).toEqual([]);

    await type('place-new-name', '  Old Town Studio ');
    await type('place-new-api-url', 'http://127.0.0.1:8787');
    await fireEvent.click(screen.getByTestId('place-add-save'));
    const added = await screen.findByText('Old Town Studio added. Doorpost is loading its history.');
    expect(backend.callsTo('addPlace')).toEqual([
      [{ name: 'Old Town Studio', token: 'pk_live_second', apiUrl: 'http://127.0.0.1:8787' }],
    ]);
    await waitFor(() => expect(document.activeElement).toBe(added));
    expect(onchange).toHaveBeenCalled();
  });

  it('shows a rejected token for a new place under its token field', async () => {
    const { backend } = await setup();
    await fireEvent.click(screen.getByTestId('place-add'));
    await type('place-new-name', 'Studio');
    await type('place-new-token', 'bad-token-123');
    await fireEvent.click(screen.getByTestId('place-add-save'));
    await waitFor(() => expect(fieldErrors().token).toMatch(/Parakey rejected the token/));
    expect(backend.placeList).toHaveLength(1);
  });

  async function twoPlaces() {
    const backend = new FakeBackend({ mode: 'account', now: NOW, places: 2 });
    render(App, { props: { backend } });
    await fireEvent.click(await screen.findByTestId('nav-settings'));
    await waitFor(() => expect(screen.getAllByTestId('place')).toHaveLength(2));
    return backend;
  }

  const card = (name: string) => screen.getAllByTestId('place').find((p) => p.querySelector('h4')?.textContent === name)!;

  it('lists each place with its status in words and whether a token is saved', async () => {
    const backend = await twoPlaces();
    const harbour = card('Harbour Loft');
    expect(within(harbour).getByTestId('place-status').textContent?.trim()).toBe('Checked 2 minutes ago');
    expect(within(harbour).getByTestId('place-token-state').textContent?.trim()).toBe('Token saved');
    backend.placeList[1]!.phase = 'authRejected';
    backend.emitChanged(0);
    await waitFor(() => expect(within(card('Old Town Studio')).getByTestId('place-status').textContent?.trim()).toBe('Token rejected'));
    // Doors to watch are grouped by place.
    expect(screen.getAllByTestId('door-group').map((g) => g.querySelector('legend')?.textContent)).toEqual([
      'Harbour Loft',
      'Old Town Studio',
    ]);
  });

  it('renames a place', async () => {
    const backend = await twoPlaces();
    await fireEvent.click(within(card('Old Town Studio')).getByRole('button', { name: 'Rename' }));
    const input = screen.getByTestId('place-name-input') as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(input));
    await fireEvent.input(input, { target: { value: '  ' } });
    await fireEvent.click(screen.getByTestId('place-name-save'));
    expect(fieldErrors().name).toBe('Give the place a name.');
    await fireEvent.input(input, { target: { value: 'Fjordgata 12' } });
    await fireEvent.click(screen.getByTestId('place-name-save'));
    await waitFor(() => expect(card('Fjordgata 12')).toBeTruthy());
    expect(backend.callsTo('updatePlace')).toEqual([['place-oldtown', { name: 'Fjordgata 12' }]]);
    await waitFor(() => expect(document.activeElement).toBe(within(card('Fjordgata 12')).getByRole('button', { name: 'Rename' })));
  });

  it('drops "added" once another place action answers, so it never names a renamed place', async () => {
    await twoPlaces();
    await fireEvent.click(screen.getByTestId('place-add'));
    await type('place-new-name', 'Sea cabin');
    await type('place-new-token', 'pk_live_third');
    await fireEvent.click(screen.getByTestId('place-add-save'));
    await screen.findByText('Sea cabin added. Doorpost is loading its history.');
    await waitFor(() => expect(screen.getAllByTestId('place')).toHaveLength(3));
    await fireEvent.click(within(card('Sea cabin')).getByRole('button', { name: 'Rename' }));
    const input = screen.getByTestId('place-name-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'Sea lodge' } });
    await fireEvent.click(screen.getByTestId('place-name-save'));
    await screen.findByText('Renamed to Sea lodge.');
    expect(screen.queryByText('Sea cabin added. Doorpost is loading its history.')).toBeNull();
  });

  it("changes a place's notify mode with the settings bar", async () => {
    const backend = await twoPlaces();
    const select = within(card('Old Town Studio')).getByRole('combobox', { name: 'Notify about' }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Default (every unlock)', 'Every unlock', 'Arrivals only']);
    await fireEvent.change(select, { target: { value: 'arrivals' } });
    expect(screen.getByTestId('settings-save-bar')).toBeTruthy();
    await save();
    await waitFor(() => expect(backend.callsTo('updatePlace')).toEqual([['place-oldtown', { notifyMode: 'arrivals' }]]));
    expect(backend.callsTo('saveSettings')).toEqual([]);
    await waitFor(() => expect(screen.queryByTestId('settings-save-bar')).toBeNull());
    expect(backend.placeList[1]!.notifyMode).toBe('arrivals');
    await fireEvent.change(select, { target: { value: 'default' } });
    await save();
    await waitFor(() => expect(backend.callsTo('updatePlace')[1]).toEqual(['place-oldtown', { notifyMode: null }]));
  });

  it("replaces one place's token", async () => {
    const backend = await twoPlaces();
    await fireEvent.click(within(card('Old Town Studio')).getByRole('button', { name: 'Replace token' }));
    const field = screen.getByLabelText('New token for Old Town Studio') as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(field));
    await fireEvent.input(field, { target: { value: 'pk_live_studio' } });
    await fireEvent.click(screen.getByTestId('place-token-save'));
    const events = backend.rows.filter((r) => r.placeId === 'place-oldtown').length;
    const message = await screen.findByText(`Old Town Studio: Connected. Found 2 doors and ${events} recent unlocks.`);
    expect(backend.callsTo('setPlaceToken')).toEqual([['place-oldtown', 'pk_live_studio']]);
    await waitFor(() => expect(document.activeElement).toBe(message));
  });

  it('removes a place after confirming, optionally with its history', async () => {
    const backend = await twoPlaces();
    const studio = card('Old Town Studio');
    await fireEvent.click(within(studio).getByRole('button', { name: 'Remove…' }));
    const dialog = within(studio).getByRole('alertdialog', { name: 'Remove Old Town Studio?' });
    const keep = backend.rows.filter((r) => r.placeId === 'place-oldtown').length;
    const box = within(dialog).getByRole('checkbox', { name: `Also delete its history (${keep} unlocks)` }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Remove place' })));
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(within(studio).queryByRole('alertdialog')).toBeNull();
    expect(backend.callsTo('removePlace')).toEqual([]);

    await fireEvent.click(within(studio).getByRole('button', { name: 'Remove…' }));
    await fireEvent.click(screen.getByTestId('place-remove-history'));
    await fireEvent.click(screen.getByTestId('place-remove-confirm'));
    await waitFor(() => expect(backend.callsTo('removePlace')).toEqual([['place-oldtown', true]]));
    expect(backend.rows.some((r) => r.placeId === 'place-oldtown')).toBe(false);
    const message = await screen.findByText('Old Town Studio and its history removed.');
    await waitFor(() => expect(document.activeElement).toBe(message));
    // One place left: back to the simple token section.
    await waitFor(() => expect(screen.queryAllByTestId('place')).toHaveLength(0));
    expect(screen.getByText('A token is saved in your keychain.')).toBeTruthy();
  });
});

describe('language', () => {
  it('switches the whole window to Norwegian at once, and back to the system language', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW });
    render(App, { props: { backend } });
    await fireEvent.click(await screen.findByTestId('nav-settings'));
    const picker = screen.getByRole('combobox', { name: 'Language' }) as HTMLSelectElement;
    expect([...picker.options].map((o) => o.textContent)).toEqual(['Same as the system', 'English', 'Norsk bokmål']);
    await fireEvent.change(picker, { target: { value: 'nb' } });
    await save();
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Innstillinger' })).toBeTruthy());
    expect(backend.callsTo('saveSettings')).toEqual([[{ language: 'nb' }]]);
    expect(document.documentElement.lang).toBe('nb');
    expect(screen.getByTestId('nav-history').textContent).toBe('Historikk');
    expect(screen.getByRole('button', { name: 'Sjekk nå' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sett varsler på pause' })).toBeTruthy();
    expect(screen.getByTestId('header-status').textContent?.trim()).toBe('Sjekket for 2 minutter siden');
    expect(screen.getByText('Innstillingene er lagret.')).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'Stilletid' })).toBeTruthy();
    await fireEvent.click(screen.getByTestId('nav-history'));
    await waitFor(() => expect(screen.getAllByTestId('history-day')[0]!.textContent?.trim()).toBe('I dag'));

    await fireEvent.click(screen.getByTestId('nav-settings'));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Språk' }), { target: { value: 'system' } });
    await save();
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Settings' })).toBeTruthy());
    expect(backend.callsTo('saveSettings')[1]).toEqual([{ language: null }]);
    expect(document.documentElement.lang).toBe('en');
  });

  it('follows a Norwegian system when no language is chosen', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW, systemLanguage: 'nb' });
    render(App, { props: { backend } });
    await screen.findByRole('heading', { name: 'Historikk' });
    expect(screen.getByTestId('nav-settings').textContent).toBe('Innstillinger');
  });
});
