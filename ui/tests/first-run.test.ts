// The first run: a token is checked and saved, doors chosen, start at login (ticked) and a
// test notification offered, settings saved, History shown; or the demo starts. Focus
// follows each step. Driven through <App> with the fake backend.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';
import { NOW } from './render';

function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  return screen.getByTestId(id) as T;
}

describe('first run', () => {
  it('checks the token, shows what it found, saves the chosen doors and opens History', async () => {
    const backend = new FakeBackend({ mode: 'unconfigured', now: NOW });
    render(App, { props: { backend } });

    const heading = await screen.findByRole('heading', { name: 'Welcome to Doorpost' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(screen.getByText(/within minutes/)).toBeTruthy();
    expect(screen.getByText(/Settings → Integrations/)).toBeTruthy();
    const input = byTestId<HTMLInputElement>('token-input');
    expect(input.type).toBe('password');
    await fireEvent.click(screen.getByRole('button', { name: /show token/i }));
    expect(input.type).toBe('text');

    // A rejected token: the shell's message is shown as is.
    await fireEvent.input(input, { target: { value: 'bad-token-123' } });
    await fireEvent.click(byTestId('token-save'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Parakey rejected the token/);

    await fireEvent.input(input, { target: { value: '  pk_live_0123456789  ' } });
    await fireEvent.click(byTestId('token-save'));
    const connected = await screen.findByText('Connected. Found 4 doors and 240 recent unlocks.');
    // The form and its button are gone: focus is on what the check found.
    await waitFor(() => expect(document.activeElement).toBe(connected));
    expect(backend.callsTo('setToken')).toContainEqual(['pk_live_0123456789']);
    expect(byTestId('first-run-tray').textContent).toMatch(/keeps Doorpost watching from the tray/);
    const autostart = byTestId<HTMLInputElement>('first-run-autostart');
    expect(autostart.checked).toBe(true);
    expect(screen.getByRole('checkbox', { name: 'Start Doorpost when I log in' })).toBe(autostart);

    await fireEvent.click(screen.getByRole('button', { name: 'Send a test notification' }));
    await waitFor(() => expect(byTestId('first-run-test-notification-result').textContent).toMatch(/^Sent\./));
    expect(backend.callsTo('testNotification')).toHaveLength(1);

    const options = await waitFor(() => {
      const found = screen.getAllByTestId('door-option') as HTMLInputElement[];
      expect(found).toHaveLength(4);
      return found;
    });
    expect(options.every((o) => o.checked)).toBe(true);
    await fireEvent.click(options.find((o) => o.value === 'door-bikes')!);

    await fireEvent.click(byTestId('first-run-done'));
    await waitFor(() => expect(screen.getByTestId('nav-history').getAttribute('aria-current')).toBe('page'));
    expect(backend.callsTo('saveSettings')).toEqual([
      [{ watchedDoors: { mode: 'only', doors: ['door-front', 'door-lobby', 'door-loft'] }, autostart: true }],
    ]);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'History' })));
    await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(0));
  });

  it('saves "Start Doorpost when I log in" unticked when the host unticks it', async () => {
    const backend = new FakeBackend({ mode: 'unconfigured', now: NOW });
    render(App, { props: { backend } });
    await fireEvent.input(await screen.findByTestId('token-input'), { target: { value: 'pk_live_0123456789' } });
    await fireEvent.click(byTestId('token-save'));
    await fireEvent.click(await screen.findByTestId('first-run-autostart'));
    await fireEvent.click(byTestId('first-run-done'));
    await waitFor(() => expect(backend.callsTo('saveSettings')).toEqual([[{ watchedDoors: { mode: 'all' }, autostart: false }]]));
  });

  it('shows why a test notification failed', async () => {
    const backend = new FakeBackend({ mode: 'unconfigured', now: NOW });
    render(App, { props: { backend } });
    await fireEvent.input(await screen.findByTestId('token-input'), { target: { value: 'pk_live_0123456789' } });
    await fireEvent.click(byTestId('token-save'));
    backend.failures.set('testNotification', { code: 'Internal', message: 'No notification service is running.', fields: [] });
    await fireEvent.click(await screen.findByTestId('first-run-test-notification'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/No notification service/);
  });

  it('refuses to finish with no door ticked, inline', async () => {
    const backend = new FakeBackend({ mode: 'unconfigured', now: NOW });
    render(App, { props: { backend } });
    await fireEvent.input(await screen.findByTestId('token-input'), { target: { value: 'pk_live_0123456789' } });
    await fireEvent.click(byTestId('token-save'));
    const options = (await waitFor(() => {
      const found = screen.getAllByTestId('door-option');
      expect(found).toHaveLength(4);
      return found;
    })) as HTMLInputElement[];
    for (const o of options) await fireEvent.click(o);
    await fireEvent.click(byTestId('first-run-done'));
    const error = await screen.findByTestId('field-error');
    expect(error.dataset.field).toBe('watchedDoors');
    expect(backend.callsTo('saveSettings')).toEqual([]);
  });

  it('starts the demo and shows its badge', async () => {
    const backend = new FakeBackend({ mode: 'unconfigured', now: NOW });
    render(App, { props: { backend } });
    await fireEvent.click(await screen.findByTestId('try-demo'));
    await screen.findByText('Demo');
    expect(backend.callsTo('startDemo')).toHaveLength(1);
    expect(screen.getByTestId('nav-history').getAttribute('aria-current')).toBe('page');
  });
});

describe('first run before the first sync', () => {
  it('lists the doors once the shell reports a change', async () => {
    const backend = new FakeBackend({ mode: 'unconfigured', now: NOW });
    const doors = backend.doorList;
    backend.doorList = [];
    render(App, { props: { backend } });
    await fireEvent.input(await screen.findByTestId('token-input'), { target: { value: 'pk_live_0123456789' } });
    await fireEvent.click(screen.getByTestId('token-save'));
    await screen.findByText(/No doors seen yet/);
    backend.doorList = doors;
    backend.emitChanged(240);
    await waitFor(() => expect(screen.getAllByTestId('door-option')).toHaveLength(4));
  });
});
