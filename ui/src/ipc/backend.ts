// The one seam between the views and the desktop shell.
//
// Views depend on `Backend`, never on Tauri: `tauri.ts` implements it with `invoke`/`listen`,
// `fake.ts` with sample data for tests and the browser preview. Each method mirrors one
// shell command; every failure is an `AppError` (branch on `code`, show `message`).

import type { AppError } from './generated/AppError';
import type { ChangedEvent } from './generated/ChangedEvent';
import type { DayCount } from './generated/DayCount';
import type { DoorView } from './generated/DoorView';
import type { ErrorCode } from './generated/ErrorCode';
import type { HistoryPageView } from './generated/HistoryPageView';
import type { HistoryQueryView } from './generated/HistoryQueryView';
import type { MuteRequest } from './generated/MuteRequest';
import type { NewPlace } from './generated/NewPlace';
import type { OpenEvent } from './generated/OpenEvent';
import type { Overview } from './generated/Overview';
import type { PauseRequest } from './generated/PauseRequest';
import type { PlacePatch } from './generated/PlacePatch';
import type { PlaceView } from './generated/PlaceView';
import type { Settings } from './generated/Settings';
import type { SettingsPatch } from './generated/SettingsPatch';
import type { TokenCheck } from './generated/TokenCheck';

export type {
  AppError,
  ChangedEvent,
  DayCount,
  DoorView,
  ErrorCode,
  HistoryPageView,
  HistoryQueryView,
  MuteRequest,
  NewPlace,
  OpenEvent,
  Overview,
  PauseRequest,
  PlacePatch,
  PlaceView,
  Settings,
  SettingsPatch,
  TokenCheck,
};
export type { AllowedOffset } from './generated/AllowedOffset';
export type { CursorView } from './generated/CursorView';
export type { DoorFilter } from './generated/DoorFilter';
export type { DoorRule } from './generated/DoorRule';
export type { FieldError } from './generated/FieldError';
export type { GapView } from './generated/GapView';
export type { HistoryRowView } from './generated/HistoryRowView';
export type { IncompleteView } from './generated/IncompleteView';
export type { Language } from './generated/Language';
export type { Mode } from './generated/Mode';
export type { NotifyMode } from './generated/NotifyMode';
export type { PhaseView } from './generated/PhaseView';
export type { QuietHours } from './generated/QuietHours';
export type { StatusView } from './generated/StatusView';

/** Event names the shell emits (see `ChangedEvent` and `OpenEvent` in the Rust core). */
export const CHANGED_EVENT = 'doorpost://changed';
export const OPEN_EVENT = 'doorpost://open-event';
/** The tray's "Settings…" (and "Token rejected"): show Settings. No payload. */
export const OPEN_SETTINGS_EVENT = 'doorpost://open-settings';

/** The largest page `history` serves. */
export const MAX_PAGE = 500;

/** Stops listening; safe to call more than once. */
export type Unlisten = () => void;

export interface Backend {
  overview(): Promise<Overview>;
  history(query: HistoryQueryView): Promise<HistoryPageView>;
  doors(): Promise<DoorView[]>;
  /** Unlocks per local day with `from <= unlockedAt < to`; days without unlocks are absent. */
  dailyCounts(from: number, to: number): Promise<DayCount[]>;
  /** Writes the rows matching `query` to a CSV file in Downloads; resolves to its path. */
  exportCsv(query: HistoryQueryView): Promise<string>;
  saveSettings(patch: SettingsPatch): Promise<Settings>;
  /**
   * The first run: checks the token against Parakey, stores it in the OS keychain and
   * creates the first place.
   */
  setToken(token: string): Promise<TokenCheck>;
  clearToken(): Promise<void>;
  startDemo(): Promise<void>;
  /** Back to the first run; the demo's sample history is not the user's. */
  leaveDemo(): Promise<void>;
  /** Another place: its token is checked against Parakey before anything is stored. */
  addPlace(place: NewPlace): Promise<PlaceView>;
  updatePlace(id: string, patch: PlacePatch): Promise<PlaceView>;
  /** Checks a place's new token, then replaces the old one in the keychain. */
  setPlaceToken(id: string, token: string): Promise<TokenCheck>;
  /** Stops watching a place and deletes its token; its unlocks too when asked. */
  removePlace(id: string, deleteHistory: boolean): Promise<void>;
  /** Mutes a door's notifications for a while (its unlocks are still kept), or unmutes it. */
  muteDoor(doorId: string, request: MuteRequest): Promise<DoorView>;
  /** Shows a sample notification, so the user sees what one looks like and that it works. */
  testNotification(): Promise<void>;
  refreshNow(): Promise<void>;
  /**
   * Pauses notifications: checking goes on and the history keeps filling, nothing toasts
   * until resumed. `untilTomorrow` means until the next 07:00.
   */
  pause(request: PauseRequest): Promise<void>;
  resume(): Promise<void>;
  /** After every sync or status change: refetch what is on screen. */
  onChanged(handler: (event: ChangedEvent) => void): Promise<Unlisten>;
  /** The user picked an unlock in the tray or a notification. */
  onOpenEvent(handler: (event: OpenEvent) => void): Promise<Unlisten>;
  /** The user chose Settings in the tray. */
  onOpenSettings(handler: () => void): Promise<Unlisten>;
}

const CODES: readonly ErrorCode[] = [
  'NotConfigured',
  'AuthRejected',
  'KeychainUnavailable',
  'Network',
  'RateLimited',
  'InvalidSettings',
  'Internal',
];

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (CODES as readonly string[]).includes(v.code) &&
    typeof v.message === 'string'
  );
}

/** Whatever a command rejected with, as an `AppError` a view can show. */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) {
    return { code: value.code, message: value.message, fields: value.fields ?? [] };
  }
  const message =
    value instanceof Error ? value.message : typeof value === 'string' ? value : 'Something went wrong.';
  return { code: 'Internal', message, fields: [] };
}
