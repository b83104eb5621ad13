// The one seam between the views and the desktop shell.
//
// Views depend on `Backend`, never on Tauri: `tauri.ts` implements it with `invoke`/`listen`,
// `fake.ts` with sample data for tests and the browser preview. Its command methods are
// `CommandMethods` from `generated/commands.ts`, written from the Rust declaration of the
// commands (src-tauri/crates/core/src/commands.rs), so a Rust signature the views do not
// follow fails the type check. Every failure is an `AppError` (branch on `code`, show
// `message`).

import type { AppError } from './generated/AppError';
import { ERROR_CODES, EVENTS, type CommandMethods, type Commands } from './generated/commands';
import type { ChangedEvent } from './generated/ChangedEvent';
import type { ChecksView } from './generated/ChecksView';
import type { DayCount } from './generated/DayCount';
import type { DoorView } from './generated/DoorView';
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
  ChecksView,
  DayCount,
  DoorView,
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
export type { CommandMethods, Commands };
export type { ErrorCode } from './generated/ErrorCode';
export type { AllowedOffset } from './generated/AllowedOffset';
export type { CheckView } from './generated/CheckView';
export type { CursorView } from './generated/CursorView';
export type { DoorFilter } from './generated/DoorFilter';
export type { DoorRule } from './generated/DoorRule';
export type { FieldError } from './generated/FieldError';
export type { Field } from './generated/Field';
export type { Problem } from './generated/Problem';
export type { GapView } from './generated/GapView';
export type { HistoryRowView } from './generated/HistoryRowView';
export type { IncompleteView } from './generated/IncompleteView';
export type { LearnedView } from './generated/LearnedView';
export type { Language } from './generated/Language';
export type { Mode } from './generated/Mode';
export type { NotifyMode } from './generated/NotifyMode';
export type { PhaseView } from './generated/PhaseView';
export type { QuietHours } from './generated/QuietHours';
export type { StatusView } from './generated/StatusView';
export type { FeedEntries } from './generated/FeedEntries';
export type { FeedProblem } from './generated/FeedProblem';
export type { FeedView } from './generated/FeedView';
export type { MarkKind } from './generated/MarkKind';
export type { NewFeed } from './generated/NewFeed';
export type { StaffKind } from './generated/StaffKind';
export type { StaffRef } from './generated/StaffRef';
export type { StayMark } from './generated/StayMark';
export type { StayView } from './generated/StayView';
export type { StaysQuery } from './generated/StaysQuery';
export type { VacantAlerts } from './generated/VacantAlerts';

/** Event names the shell emits (declared in the Rust core's `commands` module). */
export const CHANGED_EVENT = EVENTS.changed;
export const OPEN_EVENT = EVENTS.openEvent;
/** The tray's "Settings…" (and "Token rejected"): show Settings. No payload. */
export const OPEN_SETTINGS_EVENT = EVENTS.openSettings;

/** The largest page `history` serves. */
export const MAX_PAGE = 500;

/** Stops listening; safe to call more than once. */
export type Unlisten = () => void;

/** The commands (see `CommandMethods` for each one's words) and the shell's events. */
export interface Backend extends CommandMethods {
  /** After every sync or status change: what changed (refetch only what shows it). */
  onChanged(handler: (event: ChangedEvent) => void): Promise<Unlisten>;
  /** The user picked an unlock in the tray or a notification. */
  onOpenEvent(handler: (event: OpenEvent) => void): Promise<Unlisten>;
  /** The user chose Settings in the tray. */
  onOpenSettings(handler: () => void): Promise<Unlisten>;
}

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
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
