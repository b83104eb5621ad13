// Status says in words when Parakey would not let Doorpost list part of the history, and
// when a long first load or catch-up is part-way.
import { fireEvent, render, screen } from '@testing-library/svelte';
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
});
