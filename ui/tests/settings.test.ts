// Settings: inline messages from the form's own checks (nothing is sent) and from the
// shell's InvalidSettings fields; a valid form sends the whole patch; the token section.
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import Settings from '../src/views/Settings.svelte';
import { FakeBackend, DEFAULT_SETTINGS } from '../src/ipc/fake';
import type { Overview } from '../src/ipc/backend';
import { NOW, renderWith } from './render';

async function setup(tokenSet = true) {
  const backend = new FakeBackend({ mode: 'account', now: NOW });
  backend.tokenSet = tokenSet;
  const overview: Overview = await backend.overview();
  backend.calls = [];
  const onchange = vi.fn();
  renderWith(Settings, { overview, version: 0, onchange }, backend);
  await waitFor(() => expect(screen.getAllByTestId('door-option')).toHaveLength(4));
  return { backend, onchange };
}

function fieldErrors(): Record<string, string> {
  return Object.fromEntries(screen.queryAllByTestId('field-error').map((e) => [e.dataset.field!, e.textContent!]));
}

async function type(testId: string, value: string) {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

describe('settings', () => {
  it('starts from the saved settings', async () => {
    await setup();
    expect((screen.getByTestId('settings-interval') as HTMLInputElement).value).toBe('5');
    expect((screen.getByTestId('settings-offset') as HTMLInputElement).value).toBe('10');
    expect((screen.getByTestId('settings-offset-unbounded') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('settings-notifications') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('settings-sound') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('settings-autostart') as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText('Parakey advises 5 minutes or more (1–60).')).toBeTruthy();
    expect(screen.getByText('A token is saved in your keychain.')).toBeTruthy();
  });

  it('shows inline messages for invalid fields and sends nothing', async () => {
    const { backend } = await setup();
    await type('settings-interval', '0');
    await type('settings-offset', '2.5');
    for (const box of screen.getAllByTestId('door-option')) await fireEvent.click(box);
    await fireEvent.click(screen.getByTestId('settings-save'));

    const errors = await waitFor(() => {
      const e = fieldErrors();
      expect(Object.keys(e).sort()).toEqual(['allowedOffset', 'pollIntervalMins', 'watchedDoors']);
      return e;
    });
    expect(errors.pollIntervalMins).toMatch(/1 to 60/);
    expect(screen.getByTestId('settings-interval').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('settings-interval').getAttribute('aria-describedby')).toContain('pollIntervalMins-error');
    expect(backend.callsTo('saveSettings')).toEqual([]);

    for (const value of ['61', 'abc', '', '-1', '5 min']) {
      await type('settings-interval', value);
      await fireEvent.click(screen.getByTestId('settings-save'));
      await waitFor(() => expect(fieldErrors().pollIntervalMins).toBeDefined());
    }
    await type('settings-offset', '10081');
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(fieldErrors().allowedOffset).toMatch(/10080/);
    expect(backend.callsTo('saveSettings')).toEqual([]);
  });

  it('sends the whole form as one patch, "No limit" as unbounded', async () => {
    const { backend, onchange } = await setup();
    await type('settings-interval', ' 15 ');
    await type('settings-offset', 'nonsense, but ignored');
    await fireEvent.click(screen.getByTestId('settings-offset-unbounded'));
    expect((screen.getByTestId('settings-offset') as HTMLInputElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('settings-notifications'));
    await fireEvent.click(screen.getByTestId('settings-sound'));
    await fireEvent.click(screen.getByTestId('settings-autostart'));
    const boxes = screen.getAllByTestId('door-option') as HTMLInputElement[];
    await fireEvent.click(boxes.find((b) => b.value === 'door-bikes')!);
    await fireEvent.click(screen.getByTestId('settings-save'));

    await screen.findByText('Settings saved.');
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
  });

  it("puts the shell's InvalidSettings fields under their fields, including ones not on the form", async () => {
    const { backend } = await setup();
    backend.failures.set('saveSettings', {
      code: 'InvalidSettings',
      message: 'Some settings need a look.',
      fields: [
        { field: 'pollIntervalMins', message: 'Choose between 1 and 60 minutes (Parakey advises 5 or more).' },
        { field: 'backfillDays', message: 'Choose between 1 and 90 days.' },
      ],
    });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() =>
      expect(fieldErrors()).toEqual({
        pollIntervalMins: 'Choose between 1 and 60 minutes (Parakey advises 5 or more).',
        backfillDays: 'Choose between 1 and 90 days.',
      }),
    );
    expect(screen.getByRole('alert').textContent).toMatch(/Nothing was saved/);
  });

  it('replaces the token, showing the shell message when the keychain is missing', async () => {
    const { backend, onchange } = await setup();
    expect(screen.getByTestId('token-save').textContent).toMatch(/Replace token/);
    backend.failures.set('setToken', {
      code: 'KeychainUnavailable',
      message: 'No keychain is available. Install and unlock gnome-keyring, then try again.',
      fields: [],
    });
    await type('token-input', 'pk_live_abcdefgh');
    await fireEvent.click(screen.getByTestId('token-save'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/gnome-keyring/);
    await fireEvent.click(screen.getByTestId('token-save'));
    await screen.findByText(/^Connected\. Found 4 doors and 240 recent unlocks\. The new token is in your keychain\.$/);
    expect((screen.getByTestId('token-input') as HTMLInputElement).value).toBe('');
    expect(onchange).toHaveBeenCalled();
  });

  it('clears the token after confirming; Escape backs out', async () => {
    const { backend } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Clear token' }));
    const dialog = screen.getByRole('alertdialog');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(backend.callsTo('clearToken')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Clear token' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove token' }));
    await waitFor(() => expect(backend.callsTo('clearToken')).toHaveLength(1));
  });
});
