// The header: the status line follows the shell's change events; "Check now" shows a
// RateLimited message; the pause menu works from the keyboard and Escape closes it.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';

describe('header', () => {
  it('follows change events: checked, then cannot reach Parakey', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    render(App, { props: { backend } });
    await screen.findByText('Checked 2 minutes ago');
    backend.status = { ...backend.status, phase: 'degraded' };
    backend.emitChanged(0);
    await screen.findByText("Can't reach Parakey");
    backend.status = { ...backend.status, phase: 'authRejected' };
    backend.emitChanged(0);
    await screen.findByText('Token rejected');
    expect(screen.queryByText('Demo')).toBeNull();
  });

  it('shows the RateLimited message from Check now', async () => {
    const backend = new FakeBackend();
    render(App, { props: { backend } });
    const check = await screen.findByRole('button', { name: 'Check now' });
    backend.failures.set('refreshNow', { code: 'RateLimited', message: 'Checked moments ago. Try again in 25 s.', fields: [] });
    await fireEvent.click(check);
    expect((await screen.findByRole('alert')).textContent).toMatch(/Try again in 25 s/);
  });

  it('pauses from the keyboard, Escape closes the menu, Resume resumes', async () => {
    const backend = new FakeBackend();
    render(App, { props: { backend } });
    const pause = await screen.findByRole('button', { name: 'Pause' });
    await fireEvent.keyDown(pause, { key: 'ArrowDown' });
    const items = await screen.findAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toEqual(['For 1 hour', 'Until tomorrow', 'Until I resume']);
    await waitFor(() => expect(document.activeElement).toBe(items[0]));
    await fireEvent.keyDown(items[0]!, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(pause);

    await fireEvent.click(pause);
    await fireEvent.click((await screen.findAllByRole('menuitem'))[1]!);
    await screen.findByText(/^Paused until /);
    expect(backend.callsTo('pause')).toEqual([['untilTomorrow']]);
    await fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await screen.findByText(/^Checked /);
    expect(backend.callsTo('resume')).toHaveLength(1);
  });
});
