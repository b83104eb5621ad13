// The first run: a token is checked and saved, doors chosen, settings saved, History shown;
// or the demo starts. Driven through <App> with the fake backend.
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

    await screen.findByRole('heading', { name: 'Welcome to Doorpost' });
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
    await screen.findByText(/access-token header/);
    expect(screen.getByText(/sees 4 doors and 240 unlocks/)).toBeTruthy();
    expect(backend.callsTo('setToken')).toContainEqual(['pk_live_0123456789']);

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
      [{ watchedDoors: { mode: 'only', doors: ['door-front', 'door-lobby', 'door-loft'] } }],
    ]);
    await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(0));
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
