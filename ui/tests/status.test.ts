// Status says in words when Parakey would not let Doorpost list part of the history, and
// when a long first load or catch-up is part-way; keeps the jargon under a collapsed
// "Technical details"; and, with several places, shows one panel per place, each with what
// its server accepted and refused.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import StatusPanel from '../src/components/StatusPanel.svelte';
import type { Language, LearnedView } from '../src/ipc/backend';
import { FakeBackend, NOTHING_LEARNED } from '../src/ipc/fake';
import { NOW, renderWith } from './render';

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

  const taught: LearnedView = {
    largestLimit: 100,
    pageMax: 100,
    ascending: 'refused',
    skip: 'ignored',
    startFilter: 'deviceTime',
    lastRefusal: '400 limit must not be greater than 100',
    learnedAt: NOW - 10 * 60_000,
    perMinute: 5,
    unservableAt: NOW - 60 * 60_000,
  };
  const words: Record<Language, Record<string, string[]>> = {
    en: {
      'largest-limit': ['Largest page accepted', 'limit=100'],
      'page-max': ['Page maximum', '100 rows (learned ', 'larger pages are tried again after an hour'],
      ascending: ['Oldest first (orderBy=createdAt:ASC)', 'Refused: Doorpost lists newest first, the documented way'],
      skip: ['Skipping rows (skip)', 'Ignored: the same rows came back'],
      'start-filter': ['startDate filters on', "The lock's own clock (timestamp)"],
      'last-refusal': ['Last refusal', '400 limit must not be greater than 100'],
      pace: ['Pace', 'At most 5 requests a minute (learned from a refusal)'],
      unservable: ['Record Parakey cannot serve', 'Dated ', 'stepped past, remembered for a day'],
    },
    nb: {
      'largest-limit': ['Største side godtatt', 'limit=100'],
      'page-max': ['Sidegrense', '100 rader (lært ', 'større sider prøves igjen etter en time'],
      ascending: ['Eldste først (orderBy=createdAt:ASC)', 'Avvist: Doorpost henter nyeste først, slik dokumentasjonen viser'],
      skip: ['Hoppe over rader (skip)', 'Ignorert: de samme radene kom tilbake'],
      'start-filter': ['startDate filtrerer på', 'Låsens egen klokke (timestamp)'],
      'last-refusal': ['Siste avvisning', '400 limit must not be greater than 100'],
      pace: ['Tempo', 'Høyst 5 forespørsler i minuttet (lært av en avvisning)'],
      unservable: ['Post Parakey ikke kan levere', 'Datert ', 'hoppet over, huskes i et døgn'],
    },
  };
  const unknown: Record<Language, Record<string, string>> = {
    en: { notKnown: 'Not yet known', pageMax: 'None learned', none: 'None' },
    nb: { notKnown: 'Ikke kjent ennå', pageMax: 'Ingen lært', none: 'Ingen' },
  };

  it.each(['en', 'nb'] as const)('lists what the server accepted and refused, in the technical details (%s)', (lang) => {
    const backend = new FakeBackend({ mode: 'account' });
    const status = { ...backend.status, learned: taught };
    renderWith(StatusPanel, { status, now: NOW, notificationsEnabled: true }, backend, lang);
    const details = screen.getByTestId('status-technical');
    for (const [key, expected] of Object.entries(words[lang])) {
      const row = within(details).getByTestId(`status-learned-${key}`);
      for (const text of expected) expect(row.textContent).toContain(text);
    }
  });

  it.each(['en', 'nb'] as const)('says "not known yet" where Doorpost has not found out (%s)', (lang) => {
    const backend = new FakeBackend({ mode: 'account' });
    const status = { ...backend.status, learned: NOTHING_LEARNED };
    renderWith(StatusPanel, { status, now: NOW, notificationsEnabled: true }, backend, lang);
    const details = screen.getByTestId('status-technical');
    const row = (key: string) => within(details).getByTestId(`status-learned-${key}`).querySelector('dd')!.textContent!.trim();
    for (const key of ['largest-limit', 'ascending', 'skip', 'start-filter']) expect(row(key)).toBe(unknown[lang].notKnown);
    expect(row('page-max')).toBe(unknown[lang].pageMax);
    expect(row('pace')).toBe({ en: 'No rate limit met', nb: 'Ingen forespørselsgrense møtt' }[lang]);
    expect(row('unservable')).toBe({ en: 'None met', nb: 'Ingen møtt' }[lang]);
    expect(row('last-refusal')).toBe(unknown[lang].none);
  });

  it('shows what the sample backend learned on the Status page', async () => {
    const backend = new FakeBackend({ mode: 'account' });
    await openStatus(backend);
    const details = await screen.findByTestId('status-technical');
    expect(within(details).getByTestId('status-learned-ascending').textContent).toContain('Accepted');
    expect(within(details).getByTestId('status-learned-largest-limit').textContent).toContain('limit=500');
  });
});
