// The one-line status in the header and beside each place, for the phases that stop
// checking until the host acts: a rejected token, and an address that redirects elsewhere.
import { describe, expect, it } from 'vitest';
import { bundle } from '../src/i18n/locale.svelte';
import { FakeBackend } from '../src/ipc/fake';
import { statusLine } from '../src/lib/status-line';

const base = () => new FakeBackend({ mode: 'account' }).status;

describe('status line', () => {
  it('says the address moved when a redirect stopped checking, in both languages', () => {
    const now = Date.now();
    const cases = [
      ['en', 'en-GB', "Parakey's address moved: check the API address"],
      ['nb', 'nb-NO', 'Parakeys adresse er flyttet: sjekk API-adressen'],
    ] as const;
    for (const [language, tag, text] of cases) {
      const { t, fmt } = bundle(language, tag);
      const line = statusLine({ ...base(), phase: 'redirected', cantCheckSince: null }, now, t, fmt);
      expect(line).toEqual({ text, tone: 'problem' });
    }
  });

  it('says since when once the host was told, as for any place that cannot check', () => {
    const { t, fmt } = bundle('en', 'en-GB');
    const since = Date.now() - 60_000;
    const line = statusLine({ ...base(), phase: 'redirected', cantCheckSince: since }, Date.now(), t, fmt);
    expect(line.tone).toBe('problem');
    expect(line.text).toMatch(/^Can't check since /);
  });
});
