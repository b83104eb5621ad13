// The settings form: a draft of every field Settings edits (text as typed, so a half-typed
// number is not lost), checked before anything is sent, and turned into a patch of only the
// fields that changed plus the places whose notify mode changed. The shell validates again
// (all or nothing) and its `FieldError`s land under the same camelCase field names. The
// limits and defaults are the core's (`generated/settingsTable.ts`, from the Rust settings
// table); the sentences are this window's catalogue, chosen by the problem's code.

import type {
  AllowedOffset,
  DoorFilter,
  DoorRule,
  FieldError,
  Language,
  NotifyMode,
  PlacePatch,
  PlaceView,
  QuietHours,
  Settings,
  SettingsPatch,
} from '../ipc/backend';
import { DEFAULTS, LIMITS } from '../ipc/generated/settingsTable';
import type { Messages } from '../i18n/en';
import {
  STAYS_FIELDS,
  checkStays,
  normalPlaceStays,
  placeFieldKey,
  placeStaysDraft,
  placeStaysPatch,
  staysDraft,
  type PlaceStaysDraft,
  type StaysDraft,
} from './stays-form';

/** Kept days offered when the user turns "keep names forever" off. */
const RETENTION_DEFAULT = DEFAULTS.retentionDays ?? LIMITS.retentionDays.max;
/** Minutes offered when the user turns "no limit" off. */
const OFFSET_DEFAULT = 'minutes' in DEFAULTS.allowedOffset ? DEFAULTS.allowedOffset.minutes : LIMITS.allowedOffset.min;

/** A sentence under a form field: the window's own checks, or the shell's `FieldError`s. */
export interface FormError {
  field: string;
  message: string;
}

/**
 * The window's sentence for a problem the shell found, by its code and parameters; the
 * shell's own sentence (in the same language) for problems this catalogue has no words for.
 */
export function fieldMessage(t: Messages, e: FieldError): string {
  const p = e.problem;
  switch (p.code) {
    case 'outOfRange':
      if (e.field === 'pollIntervalMins') return t.check.interval(p.min, p.max);
      if (e.field === 'allowedOffset') return t.check.offset(p.max);
      if (e.field === 'retentionDays') return t.check.retention(p.min, p.max);
      if (e.field === 'staysBufferMins') return t.check.buffer(p.min, p.max);
      return e.message;
    case 'unknownTimeZone':
      return t.check.timeZone;
    case 'notPerPlace':
      return t.check.notPerPlace;
    case 'noDoors':
      return t.check.doors;
    case 'sameTimes':
      return t.check.quietSame;
    default:
      return e.message;
  }
}

/**
 * The shell's `FieldError`s as this window words them; a place's (from `updatePlace`)
 * under that place's fields.
 */
export function formErrors(t: Messages, fields: FieldError[], placeId?: string): FormError[] {
  return fields.map((f) => ({
    field: placeId === undefined ? f.field : placeFieldKey(placeId, f.field),
    message: fieldMessage(t, f),
  }));
}

/** A place's notify mode in the form: its own, or the default ("default"). */
export type PlaceMode = NotifyMode | 'default';

export interface SettingsDraft {
  interval: string;
  offset: string;
  offsetUnbounded: boolean;
  watchedDoors: DoorFilter;
  notificationsEnabled: boolean;
  sound: boolean;
  autostart: boolean;
  notifyMode: NotifyMode;
  dayStartsAt: string;
  quietOn: boolean;
  quietFrom: string;
  quietTo: string;
  doorRules: DoorRule[];
  retentionForever: boolean;
  retention: string;
  language: Language | 'system';
  /** Place id → its notify mode. */
  placeModes: Record<string, PlaceMode>;
  /** The default stays settings. */
  stays: StaysDraft;
  /** Place id → its own stays settings. */
  placeStays: Record<string, PlaceStaysDraft>;
}

export function draftFrom(s: Settings, places: PlaceView[]): SettingsDraft {
  return {
    interval: String(s.pollIntervalMins),
    offset: s.allowedOffset.mode === 'minutes' ? String(s.allowedOffset.minutes) : String(OFFSET_DEFAULT),
    offsetUnbounded: s.allowedOffset.mode === 'unbounded',
    watchedDoors: s.watchedDoors.mode === 'all' ? { mode: 'all' } : { mode: 'only', doors: [...s.watchedDoors.doors] },
    notificationsEnabled: s.notificationsEnabled,
    sound: s.sound,
    autostart: s.autostart,
    notifyMode: s.notifyMode,
    dayStartsAt: s.dayStartsAt,
    quietOn: s.quietHours !== null,
    quietFrom: s.quietHours?.from ?? '22:00',
    quietTo: s.quietHours?.to ?? '07:00',
    doorRules: s.doorRules.map((r) => ({ ...r })),
    retentionForever: s.retentionDays === null,
    retention: String(s.retentionDays ?? RETENTION_DEFAULT),
    language: s.language ?? 'system',
    placeModes: Object.fromEntries(places.map((p) => [p.id, p.notifyMode ?? 'default'])),
    stays: staysDraft(s),
    placeStays: Object.fromEntries(places.map((p) => [p.id, placeStaysDraft(s, p)])),
  };
}

/** Whether two drafts say the same thing (the form has nothing to save). */
export function sameDraft(a: SettingsDraft, b: SettingsDraft): boolean {
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

/**
 * A draft with its maps in a stable order, so equal drafts serialise equally; a place's
 * stays values only where it holds its own (the others follow the defaults).
 */
function normal(d: SettingsDraft): unknown {
  const sorted = Object.keys(d.placeModes).sort();
  const stays = Object.keys(d.placeStays).sort();
  return {
    ...d,
    placeModes: Object.fromEntries(sorted.map((k) => [k, d.placeModes[k]!])),
    placeStays: Object.fromEntries(stays.map((k) => [k, normalPlaceStays(d.placeStays[k]!)])),
  };
}

/** A whole number written with digits only, else null ("2.5", "", "5 min" are not). */
function wholeNumber(text: string): number | null {
  const t = text.trim();
  return /^\d{1,7}$/.test(t) ? Number(t) : null;
}

/** `HH:MM` (as a time input gives it), normalised to two-digit hours; else null. */
export function clockTime(text: string): string | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? `${String(h).padStart(2, '0')}:${m[2]}` : null;
}

/** Whether quiet hours from `from` to `to` cross midnight (22:00–07:00). */
export function crossesMidnight(from: string, to: string): boolean {
  const a = clockTime(from);
  const b = clockTime(to);
  return a !== null && b !== null && a > b;
}

/** What Save sends about one place: its notify mode and its own stays settings. */
export interface PlaceChange {
  id: string;
  patch: PlacePatch;
}

export type DraftCheck =
  | { ok: true; patch: SettingsPatch; places: PlaceChange[] }
  | { ok: false; errors: FormError[] };

/**
 * Checks the draft; when it holds, the patch of the fields that differ from `saved` and
 * the places whose notify mode differs from `places`.
 */
export function checkDraft(d: SettingsDraft, saved: Settings, places: PlaceView[], t: Messages): DraftCheck {
  const errors: FormError[] = [];
  const within = (n: number | null, limits: { min: number; max: number }): n is number =>
    n !== null && n >= limits.min && n <= limits.max;
  const interval = wholeNumber(d.interval);
  if (!within(interval, LIMITS.pollIntervalMins)) {
    const { min, max } = LIMITS.pollIntervalMins;
    errors.push({ field: 'pollIntervalMins', message: t.check.interval(min, max) });
  }
  let allowedOffset: AllowedOffset = { mode: 'unbounded' };
  if (!d.offsetUnbounded) {
    const offset = wholeNumber(d.offset);
    if (!within(offset, LIMITS.allowedOffset)) {
      errors.push({ field: 'allowedOffset', message: t.check.offset(LIMITS.allowedOffset.max) });
    } else {
      allowedOffset = { mode: 'minutes', minutes: offset };
    }
  }
  if (d.watchedDoors.mode === 'only' && d.watchedDoors.doors.length === 0) {
    errors.push({ field: 'watchedDoors', message: t.check.doors });
  }
  const dayStartsAt = clockTime(d.dayStartsAt);
  if (dayStartsAt === null) errors.push({ field: 'dayStartsAt', message: t.check.dayStarts });
  let quietHours: QuietHours | null = null;
  if (d.quietOn) {
    const from = clockTime(d.quietFrom);
    const to = clockTime(d.quietTo);
    if (from === null || to === null) errors.push({ field: 'quietHours', message: t.check.quietBoth });
    else if (from === to) errors.push({ field: 'quietHours', message: t.check.quietSame });
    else quietHours = { from, to };
  }
  let retentionDays: number | null = null;
  if (!d.retentionForever) {
    retentionDays = wholeNumber(d.retention);
    if (!within(retentionDays, LIMITS.retentionDays)) {
      const { min, max } = LIMITS.retentionDays;
      errors.push({ field: 'retentionDays', message: t.check.retention(min, max) });
    }
  }
  const stays = checkStays(d.stays, STAYS_FIELDS, t);
  errors.push(...stays.errors);
  const placeStays = places.map((p) => {
    const own = d.placeStays[p.id];
    const checked = own ? checkStays(own.values, own.own, t) : { values: {}, errors: [] };
    errors.push(...checked.errors.map((e) => ({ field: placeFieldKey(p.id, e.field), message: e.message })));
    return { place: p, own: own?.own ?? [], values: checked.values };
  });
  if (errors.length > 0 || !within(interval, LIMITS.pollIntervalMins) || dayStartsAt === null) {
    return { ok: false, errors };
  }

  const full: Required<SettingsPatch> = {
    pollIntervalMins: interval,
    allowedOffset,
    watchedDoors: d.watchedDoors,
    notificationsEnabled: d.notificationsEnabled,
    sound: d.sound,
    autostart: d.autostart,
    backfillDays: saved.backfillDays,
    reconcileIntervalMins: saved.reconcileIntervalMins,
    notifyMode: d.notifyMode,
    dayStartsAt,
    quietHours,
    doorRules: d.doorRules.filter((r) => r.mode !== null || r.alwaysNotify),
    retentionDays,
    language: d.language === 'system' ? null : d.language,
    ...(stays.values as Pick<Settings, (typeof STAYS_FIELDS)[number]>),
    // Not on this form: kept as saved, so never in the patch.
    storageDailyRows: saved.storageDailyRows,
  };
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(full)) {
    if (JSON.stringify(value) !== JSON.stringify(saved[key as keyof Settings])) patch[key] = value;
  }
  const changedPlaces: PlaceChange[] = [];
  for (const { place, own, values } of placeStays) {
    const mode = d.placeModes[place.id];
    const placePatch: PlacePatch = placeStaysPatch(place, own, values);
    if (mode !== undefined && mode !== (place.notifyMode ?? 'default')) {
      placePatch.notifyMode = mode === 'default' ? null : mode;
    }
    if (Object.keys(placePatch).length > 0) changedPlaces.push({ id: place.id, patch: placePatch });
  }
  return { ok: true, patch: patch as SettingsPatch, places: changedPlaces };
}
