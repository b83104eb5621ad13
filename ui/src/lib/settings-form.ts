// The settings form's text fields, checked before anything is sent. The shell validates
// again (all or nothing) and its `FieldError`s land in the same places, keyed by the same
// camelCase field names.

import type { AllowedOffset, DoorFilter, FieldError, Settings, SettingsPatch } from '../ipc/backend';

export const INTERVAL_MIN = 1;
export const INTERVAL_MAX = 60;
export const OFFSET_MAX = 10_080;

export interface SettingsDraft {
  interval: string;
  offset: string;
  offsetUnbounded: boolean;
  watchedDoors: DoorFilter;
  notificationsEnabled: boolean;
  sound: boolean;
  autostart: boolean;
}

export function draftFrom(s: Settings): SettingsDraft {
  return {
    interval: String(s.pollIntervalMins),
    offset: s.allowedOffset.mode === 'minutes' ? String(s.allowedOffset.minutes) : '10',
    offsetUnbounded: s.allowedOffset.mode === 'unbounded',
    watchedDoors: s.watchedDoors.mode === 'all' ? { mode: 'all' } : { mode: 'only', doors: [...s.watchedDoors.doors] },
    notificationsEnabled: s.notificationsEnabled,
    sound: s.sound,
    autostart: s.autostart,
  };
}

/** A whole number written with digits only, else null ("2.5", "", "5 min" are not). */
function wholeNumber(text: string): number | null {
  const t = text.trim();
  return /^\d{1,7}$/.test(t) ? Number(t) : null;
}

export type DraftCheck = { ok: true; patch: SettingsPatch } | { ok: false; errors: FieldError[] };

export function checkDraft(d: SettingsDraft): DraftCheck {
  const errors: FieldError[] = [];
  const interval = wholeNumber(d.interval);
  if (interval === null || interval < INTERVAL_MIN || interval > INTERVAL_MAX) {
    errors.push({
      field: 'pollIntervalMins',
      message: `Enter a whole number of minutes from ${INTERVAL_MIN} to ${INTERVAL_MAX}.`,
    });
  }
  let allowedOffset: AllowedOffset = { mode: 'unbounded' };
  if (!d.offsetUnbounded) {
    const offset = wholeNumber(d.offset);
    if (offset === null || offset > OFFSET_MAX) {
      errors.push({
        field: 'allowedOffset',
        message: `Enter a whole number of minutes from 0 to ${OFFSET_MAX} (7 days), or tick "No limit".`,
      });
    } else {
      allowedOffset = { mode: 'minutes', minutes: offset };
    }
  }
  if (d.watchedDoors.mode === 'only' && d.watchedDoors.doors.length === 0) {
    errors.push({ field: 'watchedDoors', message: 'Pick at least one door, or watch all doors.' });
  }
  if (errors.length > 0 || interval === null) return { ok: false, errors };
  return {
    ok: true,
    patch: {
      pollIntervalMins: interval,
      allowedOffset,
      watchedDoors: d.watchedDoors,
      notificationsEnabled: d.notificationsEnabled,
      sound: d.sound,
      autostart: d.autostart,
    },
  };
}
