// Generated from src-tauri/crates/core/src/settings/table.rs by `cargo test -p doorpost-core export_bindings`. Do not edit.

import type { Field } from './Field';
import type { Settings } from './Settings';

/** The smallest and largest each numeric setting may be. */
export const LIMITS = {
  pollIntervalMins: { min: 1, max: 60 },
  allowedOffset: { min: 0, max: 10080 },
  retentionDays: { min: 1, max: 3650 },
  staysBufferMins: { min: 0, max: 360 },
  backfillDays: { min: 1, max: 90 },
  reconcileIntervalMins: { min: 10, max: 1440 },
} as const satisfies Partial<Record<Field, { min: number; max: number }>>;

/** What a setting is until the user changes it. */
export const DEFAULTS: Settings = {
  "pollIntervalMins": 5,
  "allowedOffset": {
    "mode": "minutes",
    "minutes": 10
  },
  "watchedDoors": {
    "mode": "all"
  },
  "notificationsEnabled": true,
  "sound": false,
  "autostart": false,
  "backfillDays": 7,
  "reconcileIntervalMins": 60,
  "notifyMode": "every",
  "dayStartsAt": "04:00",
  "quietHours": null,
  "doorRules": [],
  "retentionDays": 90,
  "language": null,
  "staysCheckin": "15:00",
  "staysCheckout": "11:00",
  "staysNoshow": "22:00",
  "staysVacant": "on",
  "staysBufferMins": 60,
  "staysTimezone": null,
  "staffNotify": false
};

/** The settings a place may hold its own value of (`PlaceView.ownSettings`). */
export const PER_PLACE: readonly Field[] = ['staysCheckin', 'staysCheckout', 'staysNoshow', 'staysVacant', 'staysBufferMins', 'staysTimezone', 'staffNotify'];
