// The stays settings (issue 16) in the settings form: check-in, check-out, the no-show
// deadline, vacant alerts, the buffer, the time zone and staff toasts. The defaults are
// edited with the other settings; each place may hold its own value of any of them
// ("Same as default" or an own value), saved with the same Save as `PlacePatch.settings`
// (own values set or changed) and `PlacePatch.clearSettings` (back to the default).
// Limits and defaults are the core's (`generated/settingsTable.ts`); this module only
// turns typed text into values and words what is wrong.

import type { Field, PlacePatch, PlaceView, Settings, SettingsPatch, VacantAlerts } from '../ipc/backend';
import { LIMITS } from '../ipc/generated/settingsTable';
import type { Messages } from '../i18n/en';

/** The settings with a per-place scope, in the order the form shows them. */
export const STAYS_FIELDS = [
  'staysCheckin',
  'staysCheckout',
  'staysNoshow',
  'staysVacant',
  'staysBufferMins',
  'staysTimezone',
  'staffNotify',
] as const satisfies readonly Field[];
export type StaysField = (typeof STAYS_FIELDS)[number];
export type StaysValues = Pick<Settings, StaysField>;

/** The stays fields as typed: text for times and numbers, so a half-typed one is kept. */
export interface StaysDraft {
  staysCheckin: string;
  staysCheckout: string;
  /** Whether there is a no-show alert at all (`stays.noshow off` when not). */
  noshowOn: boolean;
  staysNoshow: string;
  staysVacant: VacantAlerts;
  staysBufferMins: string;
  /** An IANA name; empty: the computer's zone. */
  staysTimezone: string;
  staffNotify: boolean;
}

/** A place's stays fields: which it holds its own value of, and the values shown. */
export interface PlaceStaysDraft {
  own: StaysField[];
  values: StaysDraft;
}

/** A form error under one place's field (`placeId:field`). */
export function placeFieldKey(placeId: string, field: string): string {
  return `${placeId}:${field}`;
}

export function staysDraft(s: StaysValues): StaysDraft {
  return {
    staysCheckin: s.staysCheckin,
    staysCheckout: s.staysCheckout,
    noshowOn: s.staysNoshow !== null,
    staysNoshow: s.staysNoshow ?? '22:00',
    staysVacant: s.staysVacant,
    staysBufferMins: String(s.staysBufferMins),
    staysTimezone: s.staysTimezone ?? '',
    staffNotify: s.staffNotify,
  };
}

/** The fields a place holds its own value of, in the form's order. */
export function ownFields(own: SettingsPatch): StaysField[] {
  return STAYS_FIELDS.filter((f) => f in own && own[f] !== undefined);
}

/** A place's stays draft: its own values over the saved defaults. */
export function placeStaysDraft(defaults: Settings, place: PlaceView): PlaceStaysDraft {
  const own = ownFields(place.ownSettings);
  const values = { ...pick(defaults), ...Object.fromEntries(own.map((f) => [f, place.ownSettings[f]])) } as StaysValues;
  return { own, values: staysDraft(values) };
}

function pick(s: Settings): StaysValues {
  return Object.fromEntries(STAYS_FIELDS.map((f) => [f, s[f]])) as StaysValues;
}

/** A place's draft as compared for "unsaved changes": only what it holds its own value of. */
export function normalPlaceStays(d: PlaceStaysDraft): { own: StaysField[]; values: Partial<StaysDraft> } {
  const own = STAYS_FIELDS.filter((f) => d.own.includes(f));
  const values: Partial<StaysDraft> = {};
  for (const f of own) {
    (values as Record<string, unknown>)[f] = d.values[f];
    if (f === 'staysNoshow') values.noshowOn = d.values.noshowOn;
  }
  return { own, values };
}

/** `HH:MM` (as a time input gives it), normalised to two-digit hours; else null. */
function clockTime(text: string): string | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  return h < 24 && Number(m[2]) < 60 ? `${String(h).padStart(2, '0')}:${m[2]}` : null;
}

/**
 * The zone `name` as the shell knows it, or null when there is no such IANA zone. Only
 * its spelling is corrected ("europe/oslo"); another name for the zone is left alone.
 */
export function timeZoneName(name: string): string | null {
  const typed = name.trim();
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: typed }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === typed.toLowerCase() ? resolved : typed;
  } catch {
    return null;
  }
}

/** The computer's own time zone, named in the hint and the "Same as default" choice. */
export function computerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export interface StaysCheck {
  values: Partial<StaysValues>;
  errors: { field: StaysField; message: string }[];
}

/** Checks `fields` of the draft: their values, or the sentence for each that is wrong. */
export function checkStays(d: StaysDraft, fields: readonly StaysField[], t: Messages): StaysCheck {
  const values: Partial<StaysValues> = {};
  const errors: StaysCheck['errors'] = [];
  const time = (field: 'staysCheckin' | 'staysCheckout' | 'staysNoshow') => {
    const at = clockTime(d[field]);
    if (at === null) errors.push({ field, message: t.check.time });
    return at;
  };
  for (const field of fields) {
    switch (field) {
      case 'staysCheckin':
      case 'staysCheckout': {
        const at = time(field);
        if (at !== null) values[field] = at;
        break;
      }
      case 'staysNoshow': {
        const at = d.noshowOn ? time(field) : null;
        if (!d.noshowOn || at !== null) values.staysNoshow = at;
        break;
      }
      case 'staysBufferMins': {
        const text = d.staysBufferMins.trim();
        const n = /^\d{1,7}$/.test(text) ? Number(text) : null;
        const { min, max } = LIMITS.staysBufferMins;
        if (n === null || n < min || n > max) errors.push({ field, message: t.check.buffer(min, max) });
        else values.staysBufferMins = n;
        break;
      }
      case 'staysTimezone': {
        if (d.staysTimezone.trim() === '') values.staysTimezone = null;
        else {
          const zone = timeZoneName(d.staysTimezone);
          if (zone === null) errors.push({ field, message: t.check.timeZone });
          else values.staysTimezone = zone;
        }
        break;
      }
      case 'staysVacant':
        values.staysVacant = d.staysVacant;
        break;
      case 'staffNotify':
        values.staffNotify = d.staffNotify;
        break;
    }
  }
  return { values, errors };
}

/**
 * What one place's Save sends about its stays settings: its own values that are new or
 * changed, and the ones it gave up (back to the default). Empty when nothing changed.
 */
export function placeStaysPatch(
  place: PlaceView,
  own: readonly StaysField[],
  values: Partial<StaysValues>,
): Pick<PlacePatch, 'settings' | 'clearSettings'> {
  const saved = place.ownSettings;
  const settings: Record<string, unknown> = {};
  for (const f of own) {
    if (!(f in saved) || JSON.stringify(saved[f]) !== JSON.stringify(values[f])) settings[f] = values[f];
  }
  const clearSettings = ownFields(saved).filter((f) => !own.includes(f));
  return {
    ...(Object.keys(settings).length > 0 ? { settings: settings as SettingsPatch } : {}),
    ...(clearSettings.length > 0 ? { clearSettings } : {}),
  };
}

/** A stays value in words, as the "Same as default (…)" choice names it. */
export function describeStays(field: StaysField, d: StaysDraft, t: Messages): string {
  switch (field) {
    case 'staysNoshow':
      return d.noshowOn ? d.staysNoshow : t.stays.off;
    case 'staysVacant':
      return { on: t.stays.vacantOn, quiet: t.stays.vacantQuiet, off: t.stays.vacantOff }[d.staysVacant];
    case 'staysBufferMins':
      return t.stays.minutes(d.staysBufferMins);
    case 'staysTimezone':
      return d.staysTimezone.trim() === '' ? t.stays.computerZone(computerTimeZone()) : d.staysTimezone;
    case 'staffNotify':
      return d.staffNotify ? t.stays.on : t.stays.off;
    default:
      return d[field];
  }
}
