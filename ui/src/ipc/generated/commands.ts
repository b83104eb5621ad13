// Generated from src-tauri/crates/core/src/commands.rs by `cargo test -p doorpost-core export_bindings`. Do not edit.

import type { DayCount } from './DayCount';
import type { DoorView } from './DoorView';
import type { ErrorCode } from './ErrorCode';
import type { FeedView } from './FeedView';
import type { HistoryPageView } from './HistoryPageView';
import type { HistoryQueryView } from './HistoryQueryView';
import type { MuteRequest } from './MuteRequest';
import type { NewFeed } from './NewFeed';
import type { NewPlace } from './NewPlace';
import type { Overview } from './Overview';
import type { PauseRequest } from './PauseRequest';
import type { PlacePatch } from './PlacePatch';
import type { PlaceView } from './PlaceView';
import type { Settings } from './Settings';
import type { SettingsPatch } from './SettingsPatch';
import type { StaffRef } from './StaffRef';
import type { StayView } from './StayView';
import type { StaysQuery } from './StaysQuery';
import type { TokenCheck } from './TokenCheck';

/** Each command by its Rust name: its arguments as Tauri takes them and what it answers. */
export type Commands = {
  /** What the window opens with: mode, status, settings, places, language. */
  overview: { args: Record<string, never>; answer: Overview };
  /** One page of the history, newest first. */
  history: { args: { query: HistoryQueryView }; answer: HistoryPageView };
  /** Every door seen, with its place and its mute. */
  doors: { args: Record<string, never>; answer: Array<DoorView> };
  /**
   * Unlocks per local day among those `query` matches (its `from` and `to` bound
   * the days; `before` and `limit` are ignored); days without unlocks are absent.
   */
  daily_counts: { args: { query: HistoryQueryView }; answer: Array<DayCount> };
  /** Writes the rows matching `query` to a CSV file in Downloads; answers its path. */
  export_csv: { args: { query: HistoryQueryView }; answer: string };
  /** Validates a settings change, stores it (all or nothing) and applies it. */
  save_settings: { args: { patch: SettingsPatch }; answer: Settings };
  /**
   * The first run: checks the token against Parakey, stores it in the OS keychain
   * and creates the first place.
   */
  set_token: { args: { token: string }; answer: TokenCheck };
  /** Forgets the first place's token. */
  clear_token: { args: Record<string, never>; answer: void };
  /** The simulated Parakey, with its own data directory. */
  start_demo: { args: Record<string, never>; answer: void };
  /** Back to the first run; the demo's sample history is not the user's. */
  leave_demo: { args: Record<string, never>; answer: void };
  /** Checks every place now. */
  refresh_now: { args: Record<string, never>; answer: void };
  /** Pauses notifications: checking goes on and the history keeps filling. */
  pause: { args: { request: PauseRequest }; answer: void };
  /** Notifications again. */
  resume: { args: Record<string, never>; answer: void };
  /**
   * Another place: its token is checked against Parakey before anything is
   * stored. Answers the place as the window will list it.
   */
  add_place: { args: { place: NewPlace }; answer: PlaceView };
  /** Renames a place or changes its notification mode; answers the place as changed. */
  update_place: { args: { id: string; patch: PlacePatch }; answer: PlaceView };
  /** Checks a place's new token, then replaces the old one in the keychain. */
  set_place_token: { args: { id: string; token: string }; answer: TokenCheck };
  /** Stops watching a place and deletes its token; its unlocks too when asked. */
  remove_place: { args: { id: string; deleteHistory: boolean }; answer: void };
  /**
   * Mutes a door's notifications for a while (its unlocks are still kept), or
   * unmutes it. The window refetches the doors afterwards.
   */
  mute_door: { args: { doorId: string; request: MuteRequest }; answer: void };
  /** Shows a sample notification, so the user sees what one looks like. */
  test_notification: { args: Record<string, never>; answer: void };
  /** Every place's booking feeds, without their links. */
  feeds: { args: Record<string, never>; answer: Array<FeedView> };
  /**
   * Fetches and reads a feed; only a calendar that reads well is kept (its link
   * in the keychain). Answers the feed as listed.
   */
  add_feed: { args: { feed: NewFeed }; answer: FeedView };
  /** Fetches a feed now; answers how it went. */
  check_feed: { args: { placeId: string; label: string }; answer: FeedView };
  /** Forgets a feed and its link; the stays already seen stay in the history. */
  remove_feed: { args: { placeId: string; label: string }; answer: void };
  /** Stays not yet ended and those ended since `query.from`, soonest first. */
  stays: { args: { query: StaysQuery }; answer: Array<StayView> };
  /** Everyone marked staff. */
  staff: { args: Record<string, never>; answer: Array<StaffRef> };
  /** Marks a person staff at every place. */
  add_staff: { args: { person: StaffRef }; answer: void };
  /** Unmarks a person. */
  remove_staff: { args: { person: StaffRef }; answer: void };
};

/** Each command as a `Backend` method: camelCase, its arguments in order. */
export interface CommandMethods {
  /** What the window opens with: mode, status, settings, places, language. */
  overview(): Promise<Overview>;
  /** One page of the history, newest first. */
  history(query: HistoryQueryView): Promise<HistoryPageView>;
  /** Every door seen, with its place and its mute. */
  doors(): Promise<Array<DoorView>>;
  /**
   * Unlocks per local day among those `query` matches (its `from` and `to` bound
   * the days; `before` and `limit` are ignored); days without unlocks are absent.
   */
  dailyCounts(query: HistoryQueryView): Promise<Array<DayCount>>;
  /** Writes the rows matching `query` to a CSV file in Downloads; answers its path. */
  exportCsv(query: HistoryQueryView): Promise<string>;
  /** Validates a settings change, stores it (all or nothing) and applies it. */
  saveSettings(patch: SettingsPatch): Promise<Settings>;
  /**
   * The first run: checks the token against Parakey, stores it in the OS keychain
   * and creates the first place.
   */
  setToken(token: string): Promise<TokenCheck>;
  /** Forgets the first place's token. */
  clearToken(): Promise<void>;
  /** The simulated Parakey, with its own data directory. */
  startDemo(): Promise<void>;
  /** Back to the first run; the demo's sample history is not the user's. */
  leaveDemo(): Promise<void>;
  /** Checks every place now. */
  refreshNow(): Promise<void>;
  /** Pauses notifications: checking goes on and the history keeps filling. */
  pause(request: PauseRequest): Promise<void>;
  /** Notifications again. */
  resume(): Promise<void>;
  /**
   * Another place: its token is checked against Parakey before anything is
   * stored. Answers the place as the window will list it.
   */
  addPlace(place: NewPlace): Promise<PlaceView>;
  /** Renames a place or changes its notification mode; answers the place as changed. */
  updatePlace(id: string, patch: PlacePatch): Promise<PlaceView>;
  /** Checks a place's new token, then replaces the old one in the keychain. */
  setPlaceToken(id: string, token: string): Promise<TokenCheck>;
  /** Stops watching a place and deletes its token; its unlocks too when asked. */
  removePlace(id: string, deleteHistory: boolean): Promise<void>;
  /**
   * Mutes a door's notifications for a while (its unlocks are still kept), or
   * unmutes it. The window refetches the doors afterwards.
   */
  muteDoor(doorId: string, request: MuteRequest): Promise<void>;
  /** Shows a sample notification, so the user sees what one looks like. */
  testNotification(): Promise<void>;
  /** Every place's booking feeds, without their links. */
  feeds(): Promise<Array<FeedView>>;
  /**
   * Fetches and reads a feed; only a calendar that reads well is kept (its link
   * in the keychain). Answers the feed as listed.
   */
  addFeed(feed: NewFeed): Promise<FeedView>;
  /** Fetches a feed now; answers how it went. */
  checkFeed(placeId: string, label: string): Promise<FeedView>;
  /** Forgets a feed and its link; the stays already seen stay in the history. */
  removeFeed(placeId: string, label: string): Promise<void>;
  /** Stays not yet ended and those ended since `query.from`, soonest first. */
  stays(query: StaysQuery): Promise<Array<StayView>>;
  /** Everyone marked staff. */
  staff(): Promise<Array<StaffRef>>;
  /** Marks a person staff at every place. */
  addStaff(person: StaffRef): Promise<void>;
  /** Unmarks a person. */
  removeStaff(person: StaffRef): Promise<void>;
}

/** Each method's command and the names its arguments cross with, in order. */
export const COMMANDS = {
  overview: { command: 'overview', args: [] },
  history: { command: 'history', args: ['query'] },
  doors: { command: 'doors', args: [] },
  dailyCounts: { command: 'daily_counts', args: ['query'] },
  exportCsv: { command: 'export_csv', args: ['query'] },
  saveSettings: { command: 'save_settings', args: ['patch'] },
  setToken: { command: 'set_token', args: ['token'] },
  clearToken: { command: 'clear_token', args: [] },
  startDemo: { command: 'start_demo', args: [] },
  leaveDemo: { command: 'leave_demo', args: [] },
  refreshNow: { command: 'refresh_now', args: [] },
  pause: { command: 'pause', args: ['request'] },
  resume: { command: 'resume', args: [] },
  addPlace: { command: 'add_place', args: ['place'] },
  updatePlace: { command: 'update_place', args: ['id', 'patch'] },
  setPlaceToken: { command: 'set_place_token', args: ['id', 'token'] },
  removePlace: { command: 'remove_place', args: ['id', 'deleteHistory'] },
  muteDoor: { command: 'mute_door', args: ['doorId', 'request'] },
  testNotification: { command: 'test_notification', args: [] },
  feeds: { command: 'feeds', args: [] },
  addFeed: { command: 'add_feed', args: ['feed'] },
  checkFeed: { command: 'check_feed', args: ['placeId', 'label'] },
  removeFeed: { command: 'remove_feed', args: ['placeId', 'label'] },
  stays: { command: 'stays', args: ['query'] },
  staff: { command: 'staff', args: [] },
  addStaff: { command: 'add_staff', args: ['person'] },
  removeStaff: { command: 'remove_staff', args: ['person'] },
} as const satisfies { [M in keyof CommandMethods]: { command: keyof Commands; args: readonly string[] } };

/** The events the shell emits. */
export const EVENTS = {
  changed: 'doorpost://changed',
  openEvent: 'doorpost://open-event',
  openSettings: 'doorpost://open-settings',
} as const;

/** Every error code a command can fail with. */
export const ERROR_CODES: readonly ErrorCode[] = ['NotConfigured', 'AuthRejected', 'KeychainUnavailable', 'Network', 'RateLimited', 'InvalidSettings', 'Internal'];
