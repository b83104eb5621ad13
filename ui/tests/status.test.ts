// Status says in words when Parakey would not let Doorpost list part of the history, and
// when a long first load or catch-up is part-way; keeps the jargon under a collapsed
// "Technical details"; and, with several places, shows one panel per place.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { FakeBackend } from '../src/ipc/fake';

async function openStatus(backend: FakeBackend): Promise<void> {
  render(App, { props: { backend } });
  await fireEvent.click(await screen.findByRole('button', { name: 'Status' }));
}

describe('status', () => {
  it('explains an incomplete listing in words', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    backend.status = { ...backend.status, incomplete: { reason: 'tiesBeyondPage', at: Date.now() - 60_000 }, catchingUp: true };
    await openStatus(backend);
    const gap = await screen.findByTestId('status-incomplete');
    expect(gap.textContent).toMatch(/more unlocks arriving at the same moment/);
    expect(gap.textContent).toMatch(/may be missing from the history/);
    expect((await screen.findByTestId('status-catching-up')).textContent).toMatch(/page by page/);
  });

  it('says nothing about gaps when the history is complete', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    await openStatus(backend);
    await screen.findByTestId('status-panel');
    expect(screen.queryByTestId('status-incomplete')).toBeNull();
    expect(screen.queryByTestId('status-catching-up')).toBeNull();
  });

  it('keeps the jargon under a collapsed "Technical details"', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    await openStatus(backend);
    const panel = await screen.findByTestId('status-panel');
    const details = within(panel).getByTestId('status-technical') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(within(details).getByText('Technical details').tagName).toBe('SUMMARY');
    for (const jargon of ['Signed in with', 'Records set aside', 'Requests today']) {
      expect(within(details).getByText(jargon)).toBeTruthy();
    }
    expect(details.textContent).toContain('131 answered “not modified”');
    expect(within(panel).getByTestId('status-notifications').textContent).toContain('On');
    expect(screen.getByText(/couldn't reach Parakey; found 2 unlocks afterwards/)).toBeTruthy();
  });

  it('says when notifications are paused', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    backend.status = { ...backend.status, phase: 'paused', pausedUntil: null };
    await openStatus(backend);
    expect((await screen.findByTestId('status-notifications')).textContent).toContain('Paused until you resume them');
  });

  it('shows each place on its own when there are several', async () => {
    const backend = new FakeBackend({ mode: 'account', places: 2 });
    backend.placeList[1]!.phase = 'authRejected';
    await openStatus(backend);
    const panels = await screen.findAllByTestId('status-panel');
    expect(panels.map((p) => p.dataset.placeId)).toEqual(['place-harbour', 'place-oldtown']);
    expect(screen.getByRole('heading', { name: 'Old Town Studio' })).toBeTruthy();
    expect(panels[1]!.textContent).toContain('After the token is replaced');
    expect(panels[0]!.textContent).not.toContain('After the token is replaced');
  });
});
