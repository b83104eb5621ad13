// Settings › Stays (issue 16): the defaults (check-in, check-out, no-show deadline, vacant
// alerts, buffer, time zone, staff toasts) saved with the rest of the form, and each
// place's own values in its card ("Same as default (…)" or an own value), saved as
// `PlacePatch.settings` / `clearSettings`. The window's own checks and the shell's
// problems are worded in the window's language.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Settings from '../src/views/Settings.svelte';
import { FakeBackend } from '../src/ipc/fake';
import type { Language } from '../src/ipc/backend';
import { PER_PLACE } from '../src/ipc/generated/settingsTable';
import { STAYS_FIELDS } from '../src/lib/stays-form';
import { NOW, renderWith } from './render';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

async function setup(language: Language = 'en', places: 1 | 2 = 1, prepare?: (b: FakeBackend) => void) {
  const backend = new FakeBackend({ mode: 'account', now: NOW, places });
  prepare?.(backend);
  const overview = await backend.overview();
  backend.calls = [];
  const onchange = vi.fn(async () => {
    view.rerender({ overview: await backend.overview(), version: 0, onchange });
  });
  const view = renderWith(Settings, { overview, version: 0, onchange }, backend, language);
  await waitFor(() => expect(screen.getAllByTestId('door-option').length).toBeGreaterThanOrEqual(4));
  return { backend, onchange };
}

const field = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;
const errorsShown = () =>
  Object.fromEntries(screen.queryAllByTestId('field-error').map((e) => [e.dataset.field!, e.textContent!]));
const card = (name: string) => screen.getAllByTestId('place').find((p) => p.querySelector('h4')?.textContent === name)!;

async function type(el: HTMLElement, value: string) {
  await fireEvent.input(el, { target: { value } });
}

describe('stays settings', () => {
  it('covers every setting a place may hold its own value of', () => {
    expect([...STAYS_FIELDS].sort()).toEqual([...PER_PLACE].sort());
  });

  it('shows the defaults from the generated table and saves only what changed', async () => {
    const { backend } = await setup();
    const section = screen.getByTestId('settings-stays');
    expect(within(section).getByRole('heading').textContent).toBe('Stays');
    expect(field('settings-staysCheckin').value).toBe('15:00');
    expect(field('settings-staysCheckout').value).toBe('11:00');
    expect(field('settings-staysNoshow-on').checked).toBe(true);
    expect(field('settings-staysNoshow').value).toBe('22:00');
    const vacant = screen.getByRole('combobox', { name: 'Unlocks while vacant' }) as HTMLSelectElement;
    expect(vacant.selectedOptions[0]!.textContent).toBe('Alert, even in quiet hours');
    expect(screen.getByRole('textbox', { name: 'Leeway around check-in and check-out minutes' })).toBe(
      field('settings-staysBufferMins'),
    );
    expect(field('settings-staysBufferMins').value).toBe('60');
    expect(within(section).getByText('Unlocks this close to a stay still belong to it (0–360).')).toBeTruthy();
    expect(field('settings-staysTimezone').value).toBe('');
    expect(field('settings-staffNotify').checked).toBe(false);
    expect(screen.queryByTestId('settings-save-bar')).toBeNull();

    await type(field('settings-staysCheckin'), '16:00');
    await fireEvent.click(field('settings-staysNoshow-on'));
    expect(field('settings-staysNoshow').disabled).toBe(true);
    await fireEvent.change(vacant, { target: { value: 'quiet' } });
    await type(field('settings-staysBufferMins'), '30');
    await type(field('settings-staysTimezone'), 'europe/oslo');
    await fireEvent.click(field('settings-staffNotify'));
    await fireEvent.click(screen.getByTestId('settings-save'));
    await screen.findByText('Settings saved.');
    expect(backend.callsTo('saveSettings')).toEqual([
      [
        {
          staysCheckin: '16:00',
          staysNoshow: null,
          staysVacant: 'quiet',
          staysBufferMins: 30,
          staysTimezone: 'Europe/Oslo',
          staffNotify: true,
        },
      ],
    ]);
    expect(backend.callsTo('updatePlace')).toEqual([]);
  });

  it.each([
    ['en', 'Enter a whole number of minutes from 0 to 360.', 'No such time zone. Use an IANA name such as Europe/Oslo, or leave it empty.', 'Give a time of day, such as 15:00.'],
    ['nb', 'Skriv et helt antall minutter fra 0 til 360.', 'Ukjent tidssone. Bruk et IANA-navn, for eksempel Europe/Oslo, eller la feltet stå tomt.', 'Skriv et klokkeslett, for eksempel 15:00.'],
  ] as const)('says what is wrong in %s and sends nothing', async (language, buffer, zone, time) => {
    const { backend } = await setup(language);
    await type(field('settings-staysBufferMins'), '361');
    await type(field('settings-staysTimezone'), 'Mars/Olympus');
    await type(field('settings-staysCheckout'), '');
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() =>
      expect(errorsShown()).toEqual({ staysBufferMins: buffer, staysTimezone: zone, staysCheckout: time }),
    );
    expect(backend.callsTo('saveSettings')).toEqual([]);
    expect(field('settings-staysBufferMins').getAttribute('aria-invalid')).toBe('true');
  });

  it("words the shell's unknown time zone in the window's language", async () => {
    const { backend } = await setup('nb');
    backend.failures.set('saveSettings', {
      code: 'InvalidSettings',
      message: 'Some settings need a look.',
      fields: [{ field: 'staysTimezone', problem: { code: 'unknownTimeZone' }, message: 'the shell words it' }],
    });
    await type(field('settings-staysTimezone'), 'Europe/Oslo');
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() =>
      expect(errorsShown()).toEqual({
        staysTimezone: 'Ukjent tidssone. Bruk et IANA-navn, for eksempel Europe/Oslo, eller la feltet stå tomt.',
      }),
    );
    expect(screen.getByText('Ingenting ble lagret. Rett opp feltene som er merket nedenfor.')).toBeTruthy();
  });

  it("sets a place's own check-in time and gives it back to the default", async () => {
    const { backend } = await setup('en', 2);
    const studio = card('Old Town Studio');
    const summary = within(studio).getByTestId('place-stays-summary');
    expect(summary.textContent).toBe('Stays: as the defaults');
    await fireEvent.click(summary);
    const scope = within(studio).getByRole('combobox', { name: 'Check-in' }) as HTMLSelectElement;
    expect([...scope.options].map((o) => o.textContent)).toEqual(['Same as default (15:00)', 'Own value']);
    expect(within(studio).queryByTestId('place-staysCheckin')).toBeNull();
    const vacantScope = within(studio).getByTestId('place-staysVacant-scope') as HTMLSelectElement;
    expect(vacantScope.options[0]!.textContent).toBe('Same as default (Alert, even in quiet hours)');

    await fireEvent.change(scope, { target: { value: 'own' } });
    const own = within(studio).getByTestId('place-staysCheckin') as HTMLInputElement;
    expect(own.value).toBe('15:00');
    await type(own, '16:30');
    expect(summary.textContent).toBe('Stays: 1 own value');
    await fireEvent.click(screen.getByTestId('settings-save'));
    await screen.findByText('Settings saved.');
    expect(backend.callsTo('updatePlace')).toEqual([['place-oldtown', { settings: { staysCheckin: '16:30' } }]]);
    expect(backend.callsTo('saveSettings')).toEqual([]);
    expect(backend.placeList[1]!.ownSettings).toEqual({ staysCheckin: '16:30' });
    await waitFor(() => expect(screen.queryByTestId('settings-save-bar')).toBeNull());

    // A new default is named in the choice of a place that follows it.
    await type(field('settings-staysCheckout'), '10:00');
    const checkout = within(card('Old Town Studio')).getByTestId('place-staysCheckout-scope') as HTMLSelectElement;
    expect(checkout.options[0]!.textContent).toBe('Same as default (10:00)');

    await fireEvent.change(within(card('Old Town Studio')).getByTestId('place-staysCheckin-scope'), {
      target: { value: 'default' },
    });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(backend.callsTo('updatePlace')).toHaveLength(2));
    expect(backend.callsTo('updatePlace')[1]).toEqual(['place-oldtown', { clearSettings: ['staysCheckin'] }]);
    expect(backend.callsTo('saveSettings')).toEqual([[{ staysCheckout: '10:00' }]]);
    expect(backend.placeList[1]!.ownSettings).toEqual({});
    await waitFor(() =>
      expect(within(card('Old Town Studio')).getByTestId('place-stays-summary').textContent).toBe(
        'Stays: as the defaults',
      ),
    );
  });

  it("shows a place's own values in Norwegian, and a refused one under its field in its card", async () => {
    const { backend } = await setup('nb', 2, (b) => {
      b.placeList[0]!.ownSettings = { staysNoshow: null, staffNotify: true };
    });
    const harbour = card('Harbour Loft');
    const summary = within(harbour).getByTestId('place-stays-summary');
    expect(summary.textContent).toBe('Opphold: 2 egne verdier');
    await fireEvent.click(summary);
    expect((within(harbour).getByTestId('place-staysNoshow-scope') as HTMLSelectElement).value).toBe('own');
    expect((within(harbour).getByTestId('place-staysNoshow-on') as HTMLInputElement).checked).toBe(false);
    expect((within(harbour).getByTestId('place-staffNotify') as HTMLInputElement).checked).toBe(true);
    const checkin = within(harbour).getByRole('combobox', { name: 'Innsjekk' }) as HTMLSelectElement;
    expect([...checkin.options].map((o) => o.textContent)).toEqual(['Som standard (15:00)', 'Egen verdi']);
    const noshow = within(card('Old Town Studio')).getByTestId('place-staysNoshow-scope') as HTMLSelectElement;
    expect(noshow.options[0]!.textContent).toBe('Som standard (22:00)');

    // The window's own check, under the place's field.
    await fireEvent.change(within(harbour).getByTestId('place-staysTimezone-scope'), { target: { value: 'own' } });
    const zone = within(harbour).getByTestId('place-staysTimezone') as HTMLInputElement;
    await type(zone, 'Mars/Olympus');
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() =>
      expect(errorsShown()).toEqual({
        'place-harbour:staysTimezone':
          'Ukjent tidssone. Bruk et IANA-navn, for eksempel Europe/Oslo, eller la feltet stå tomt.',
      }),
    );
    expect(within(harbour).getByTestId('field-error')).toBeTruthy();
    expect(backend.callsTo('updatePlace')).toEqual([]);

    // The shell's refusal after the defaults were saved: the place's draft is kept.
    backend.failures.set('updatePlace', {
      code: 'InvalidSettings',
      message: 'Nothing was saved.',
      fields: [{ field: 'staysTimezone', problem: { code: 'unknownTimeZone' }, message: 'the shell words it' }],
    });
    await type(zone, 'Europe/Oslo');
    await type(field('settings-staysCheckin'), '14:00');
    await fireEvent.click(screen.getByTestId('settings-save'));
    await screen.findByText(
      'Resten er lagret, men ikke innstillingene for Harbour Loft. Rett opp feltene som er merket nedenfor.',
    );
    expect(backend.callsTo('saveSettings')).toEqual([[{ staysCheckin: '14:00' }]]);
    expect(errorsShown()).toEqual({
      'place-harbour:staysTimezone':
        'Ukjent tidssone. Bruk et IANA-navn, for eksempel Europe/Oslo, eller la feltet stå tomt.',
    });
    expect((within(card('Harbour Loft')).getByTestId('place-staysTimezone') as HTMLInputElement).value).toBe(
      'Europe/Oslo',
    );
    expect(screen.getByTestId('settings-save-bar')).toBeTruthy();
  });

  it('the sample backend refuses a setting that has no per-place scope', async () => {
    const backend = new FakeBackend({ mode: 'account', now: NOW, places: 2 });
    await expect(backend.updatePlace('place-harbour', { settings: { sound: true } })).rejects.toMatchObject({
      code: 'InvalidSettings',
      fields: [{ field: 'sound', problem: { code: 'notPerPlace' } }],
    });
    await expect(
      backend.updatePlace('place-harbour', { settings: { staysBufferMins: 400 } }),
    ).rejects.toMatchObject({ fields: [{ field: 'staysBufferMins', problem: { code: 'outOfRange', min: 0, max: 360 } }] });
    const place = await backend.updatePlace('place-harbour', { settings: { staysTimezone: 'Europe/Oslo' } });
    expect(place.ownSettings).toEqual({ staysTimezone: 'Europe/Oslo' });
  });
});
