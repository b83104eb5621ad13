// The header: the status line follows the shell's change events and is announced when its
// tone changes; "Check now" shows a RateLimited message; "Pause notifications" works from
// the keyboard, says 07:00, offers Resume at the top while paused; quiet hours; the demo
// badge's "Leave demo"; the "Token rejected" banner on every tab opens the token field.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';
import { NOW } from './render';

const statusText = () => screen.getByTestId('header-status').textContent?.trim();

describe('header', () => {
  it('follows change events and announces a change of tone', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    render(App, { props: { backend } });
    await waitFor(() => expect(statusText()).toBe('Checked 2 minutes ago'));
    const announce = screen.getByTestId('header-announce');
    expect(announce.getAttribute('role')).toBe('status');
    expect(announce.textContent).toBe('');
    backend.status = { ...backend.status, phase: 'degraded' };
    backend.emitChanged(0);
    await waitFor(() => expect(statusText()).toBe("Can't reach Parakey"));
    expect(announce.textContent).toBe("Can't reach Parakey");
    // The same live region, still mounted, gets the next change.
    backend.status = { ...backend.status, phase: 'authRejected' };
    backend.emitChanged(0);
    await waitFor(() => expect(statusText()).toBe('Token rejected'));
    expect(screen.getByTestId('header-announce')).toBe(announce);
    await waitFor(() => expect(announce.textContent).toBe('Token rejected'));
    expect(screen.queryByText('Demo')).toBeNull();
  });

  it('shows every overview newer than the one on screen while changes keep coming, and drops older ones', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    render(App, { props: { backend } });
    await waitFor(() => expect(statusText()).toBe('Checked 2 minutes ago'));
    // From here each overview answer is what the shell held when asked, and arrives when
    // the test lets it go: as from a busy shell whose change events outrun its answers.
    const held: (() => void)[] = [];
    const answer = backend.overview.bind(backend);
    backend.overview = async () => {
      const next = await answer();
      await new Promise<void>((go) => held.push(go));
      return next;
    };
    const settle = () => new Promise((r) => setTimeout(r, 0));

    backend.status = { ...backend.status, phase: 'degraded' };
    backend.emitChanged(0);
    await waitFor(() => expect(held).toHaveLength(1));
    backend.status = { ...backend.status, phase: 'authRejected' };
    backend.emitChanged(0);
    await waitFor(() => expect(held).toHaveLength(2));
    // The first answer is newer than the screen, though not the latest asked for: shown.
    held[0]!();
    await waitFor(() => expect(statusText()).toBe("Can't reach Parakey"));

    backend.status = { ...backend.status, phase: 'idle', lastCheck: Date.now() - 5_000 };
    backend.emitChanged(0);
    await waitFor(() => expect(held).toHaveLength(3));
    // The third answers before the second: the second, older than the screen, is dropped.
    held[2]!();
    await waitFor(() => expect(statusText()).toBe('Checked just now'));
    held[1]!();
    await settle();
    expect(statusText()).toBe('Checked just now');
    expect(screen.queryByTestId('token-rejected-banner')).toBeNull();
  });

  it('says since when Doorpost cannot check, once the host has been told', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    const since = new Date();
    since.setHours(since.getHours() - (since.getHours() >= 1 ? 1 : 0), 2, 0, 0);
    const at = `${String(since.getHours()).padStart(2, '0')}:02`;
    backend.status = { ...backend.status, phase: 'degraded', cantCheckSince: since.getTime() };
    render(App, { props: { backend } });
    await waitFor(() => expect(statusText()).toBe(`Can't check since ${at}`));
    backend.status = { ...backend.status, phase: 'authRejected' };
    backend.emitChanged(0);
    await waitFor(() => expect(statusText()).toBe(`Token rejected · Can't check since ${at}`));
    backend.status = { ...backend.status, phase: 'idle', cantCheckSince: null, lastCheck: Date.now() - 5_000 };
    backend.emitChanged(0);
    await waitFor(() => expect(statusText()).toBe('Checked just now'));
  });

  it('says "Checked just now" right after a check', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    backend.status = { ...backend.status, lastCheck: Date.now() - 5_000 };
    render(App, { props: { backend } });
    await waitFor(() => expect(statusText()).toBe('Checked just now'));
  });

  it('shows the RateLimited message from Check now', async () => {
    const backend = new FakeBackend();
    render(App, { props: { backend } });
    const check = await screen.findByRole('button', { name: 'Check now' });
    backend.failures.set('refreshNow', { code: 'RateLimited', message: 'Checked moments ago. Try again in 25 s.', fields: [] });
    await fireEvent.click(check);
    expect((await screen.findByRole('alert')).textContent).toMatch(/Try again in 25 s/);
  });

  it('shows quiet hours until when they end', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    const end = new Date();
    end.setHours(end.getHours() + 2, 0, 0, 0);
    backend.status = { ...backend.status, quietUntil: end.getTime() };
    render(App, { props: { backend } });
    const quiet = await screen.findByTestId('header-quiet');
    expect(quiet.textContent).toMatch(/^Quiet until (tomorrow )?\d\d:00$/);
  });
});

describe('pause notifications', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pauses from the keyboard until 07:00 tomorrow, Escape closes the menu, Resume heads it while paused', async () => {
    const backend = new FakeBackend({ now: NOW });
    render(App, { props: { backend } });
    const pause = await screen.findByRole('button', { name: 'Pause notifications' });
    await fireEvent.keyDown(pause, { key: 'ArrowDown' });
    const menu = await screen.findByRole('menu', { name: 'Pause notifications' });
    const items = within(menu).getAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toEqual(['For 1 hour', 'Until 07:00 tomorrow', 'Until I resume']);
    await waitFor(() => expect(document.activeElement).toBe(items[0]));
    await fireEvent.keyDown(items[0]!, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(pause);

    await fireEvent.click(pause);
    await fireEvent.click(screen.getByTestId('pause-until-tomorrow'));
    await waitFor(() => expect(statusText()).toBe('Notifications paused until tomorrow 07:00'));
    expect(backend.callsTo('pause')).toEqual([['untilTomorrow']]);
    expect(screen.getByTestId('header-notice').textContent).toMatch(/keeps checking and keeps the history/);

    const paused = screen.getByRole('button', { name: 'Notifications paused' });
    await fireEvent.click(paused);
    const again = within(await screen.findByRole('menu')).getAllByRole('menuitem');
    expect(again.map((i) => i.textContent)).toEqual([
      'Resume (paused until tomorrow 07:00)',
      'For 1 hour',
      'Until 07:00 tomorrow',
      'Until I resume',
    ]);
    await fireEvent.click(again[0]!);
    await waitFor(() => expect(statusText()).toMatch(/^Checked /));
    expect(backend.callsTo('resume')).toHaveLength(1);
  });

  it('says "this morning" between midnight and 07:00, and the pause ends then', async () => {
    const night = new Date(2025, 10, 26, 1, 30).getTime();
    vi.setSystemTime(night);
    const backend = new FakeBackend({ now: night });
    render(App, { props: { backend } });
    await fireEvent.click(await screen.findByRole('button', { name: 'Pause notifications' }));
    const item = await screen.findByTestId('pause-until-tomorrow');
    expect(item.textContent).toBe('Until 07:00 this morning');
    await fireEvent.click(item);
    await waitFor(() => expect(statusText()).toBe('Notifications paused until 07:00'));
    expect(backend.status.pausedUntil).toBe(new Date(2025, 10, 26, 7, 0).getTime());
  });

  it('names the day when paused until later in the week', async () => {
    const backend = new FakeBackend({ now: NOW });
    backend.status = { ...backend.status, phase: 'paused', pausedUntil: new Date(2025, 10, 28, 7, 0).getTime() };
    render(App, { props: { backend } });
    await waitFor(() => expect(statusText()).toBe('Notifications paused until Fri 07:00'));
    await fireEvent.click(screen.getByRole('button', { name: 'Notifications paused' }));
    expect((await screen.findByTestId('pause-resume')).textContent).toBe('Resume (paused until Fri 07:00)');
  });
});

describe('the demo', () => {
  it('has a Leave demo button beside its badge that returns to the first run', async () => {
    const backend = new FakeBackend({ mode: 'demo' });
    render(App, { props: { backend } });
    await screen.findByText('Demo');
    await fireEvent.click(screen.getByRole('button', { name: 'Leave demo' }));
    const heading = await screen.findByRole('heading', { name: 'Welcome to Doorpost' });
    expect(backend.callsTo('leaveDemo')).toHaveLength(1);
    await waitFor(() => expect(document.activeElement).toBe(heading));
  });
});

describe('token rejected', () => {
  it('shows a banner on every tab whose button opens Settings with the token field focused', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    backend.status = { ...backend.status, phase: 'authRejected' };
    render(App, { props: { backend } });
    const banner = await screen.findByTestId('token-rejected-banner');
    expect(banner.textContent).toMatch(/Parakey rejected the token/);
    for (const tab of ['nav-status', 'nav-history']) {
      await fireEvent.click(screen.getByTestId(tab));
      expect(screen.getByTestId('token-rejected-banner')).toBeTruthy();
    }
    await fireEvent.click(within(banner).getByRole('button', { name: 'Replace token' }));
    expect(screen.getByTestId('nav-settings').getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('token-input')));
    // Settings no longer says in green that all is well.
    expect(screen.getByTestId('token-state').textContent).toMatch(/Parakey rejected the saved token/);

    await fireEvent.input(screen.getByTestId('token-input'), { target: { value: 'pk_live_new_token' } });
    await fireEvent.click(screen.getByTestId('token-save'));
    await waitFor(() => expect(screen.queryByTestId('token-rejected-banner')).toBeNull());
    expect(backend.callsTo('setPlaceToken')).toEqual([['place-harbour', 'pk_live_new_token']]);
  });

  it('names the place and focuses its token field when there are several', async () => {
    const backend = new FakeBackend({ mode: 'account', places: 2 });
    backend.placeList[1]!.phase = 'authRejected';
    render(App, { props: { backend } });
    const banner = await screen.findByTestId('token-rejected-banner');
    expect(banner.textContent).toMatch(/Parakey rejected the token for Old Town Studio/);
    await fireEvent.click(within(banner).getByRole('button', { name: 'Replace token for Old Town Studio' }));
    await waitFor(() => {
      const field = document.activeElement as HTMLElement;
      expect(field.dataset.testid).toBe('place-token-input');
      expect(field.closest('[data-testid="place"]')?.getAttribute('data-place-id')).toBe('place-oldtown');
    });
  });
});
