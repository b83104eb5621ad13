// The seam against Tauri's own mockIPC: command names (the shell's snake_case functions),
// argument shapes (camelCase objects), answers, errors normalised to AppError, and the
// events. The shell's answers and each command's arguments are typed from the contract
// generated from Rust (`Commands`), so a command whose Rust types change fails the type
// check here as well as in the views.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tauriBackend } from '../src/ipc/tauri';
import { COMMANDS } from '../src/ipc/generated/commands';
import { DEFAULT_SETTINGS } from '../src/ipc/fake';
import type {
  AppError,
  CommandMethods,
  Commands,
  DoorView,
  HistoryQueryView,
  PlaceView,
  StatusView,
} from '../src/ipc/backend';

afterEach(() => clearMocks());

const status: StatusView = {
  phase: 'idle',
  lastCheck: 1,
  nextCheck: 2,
  pausedUntil: null,
  lastError: null,
  requestsToday: 3,
  notModifiedToday: 2,
  failuresToday: 0,
  gaps: [],
  authStyle: 'access-token',
  quarantined: 0,
  eventsTotal: 5,
  quietUntil: null,
  watchingSince: null,
  incomplete: null,
  catchingUp: false,
  cantCheckSince: null,
  learned: {
    largestLimit: 100,
    pageMax: 100,
    ascending: 'refused',
    skip: 'unknown',
    startFilter: 'unknown',
    lastRefusal: '400 limit must not be greater than 100',
    learnedAt: 1,
    perMinute: null,
    unservableAt: null,
  },
};
const seaCabin: PlaceView = {
  id: 'place-2',
  name: 'Sea cabin',
  apiUrl: null,
  tokenSet: true,
  notifyMode: null,
  status,
  ownSettings: {},
};
const door: DoorView = {
  id: 'door-front',
  name: 'Front door',
  lastUnlock: 4,
  count: 2,
  placeId: 'place-2',
  placeName: 'Sea cabin',
  mutedUntil: null,
  mutedCount: 0,
};
const query: HistoryQueryView = {
  text: 'amira',
  doorIds: ['door-front'],
  from: 1,
  to: 2,
  before: { unlockedAt: 3, id: 'evt-1' },
  limit: 100,
};

/** What the shell answers, command by command (`()` crosses as null). */
const answers: { [C in keyof Commands]: Commands[C]['answer'] } = {
  overview: {
    mode: 'account',
    tokenSet: true,
    status,
    settings: DEFAULT_SETTINGS,
    places: [seaCabin],
    language: 'en',
    locale: 'en-GB',
  },
  history: { rows: [], next: null, total: 0 },
  doors: [door],
  daily_counts: [{ day: '2026-12-06', count: 2 }],
  export_csv: '/tmp/x.csv',
  save_settings: DEFAULT_SETTINGS,
  set_token: { authStyle: 'access-token', doorsSeen: 4, eventsSeen: 12 },
  clear_token: undefined,
  start_demo: undefined,
  leave_demo: undefined,
  refresh_now: undefined,
  pause: undefined,
  resume: undefined,
  add_place: seaCabin,
  update_place: { ...seaCabin, name: 'Studio', notifyMode: 'arrivals' },
  set_place_token: { authStyle: 'bearer', doorsSeen: 1, eventsSeen: 0 },
  remove_place: undefined,
  mute_door: undefined,
  test_notification: undefined,
  feeds: [{ placeId: 'place-2', label: 'Airbnb', entries: 'bookings', blocksVacant: false, fetchedAt: 5, okAt: 5, staysFound: 2, problem: null, httpStatus: null, stale: false }],
  add_feed: { placeId: 'place-2', label: 'Airbnb', entries: 'bookings', blocksVacant: false, fetchedAt: 5, okAt: 5, staysFound: 2, problem: null, httpStatus: null, stale: false },
  check_feed: { placeId: 'place-2', label: 'Airbnb', entries: 'bookings', blocksVacant: false, fetchedAt: 5, okAt: 5, staysFound: 2, problem: null, httpStatus: null, stale: false },
  remove_feed: undefined,
  stays: [],
  staff: [{ kind: 'name', value: 'Cleaner Carla' }],
  add_staff: undefined,
  remove_staff: undefined,
};

/** How each method is called in this test, in order. */
const calls: { [M in keyof CommandMethods]: Parameters<CommandMethods[M]> } = {
  overview: [],
  history: [query],
  doors: [],
  dailyCounts: [{ doorIds: ['door-front'], from: 10, to: 20 }],
  exportCsv: [{ doorIds: [] }],
  saveSettings: [{ pollIntervalMins: 7, allowedOffset: { mode: 'unbounded' } }],
  setToken: ['pk_live_123'],
  clearToken: [],
  startDemo: [],
  leaveDemo: [],
  refreshNow: [],
  pause: ['untilTomorrow'],
  resume: [],
  addPlace: [{ name: 'Sea cabin', token: 'pk_live_456', apiUrl: null }],
  updatePlace: ['place-2', { name: 'Studio', notifyMode: 'arrivals' }],
  setPlaceToken: ['place-2', 'pk_live_789'],
  removePlace: ['place-2', true],
  muteDoor: ['door-front', 'oneHour'],
  testNotification: [],
  feeds: [],
  addFeed: [{ placeId: 'place-2', label: 'Airbnb', url: 'https://example.test/cal.ics', entries: 'bookings', blocksVacant: false }],
  checkFeed: ['place-2', 'Airbnb'],
  removeFeed: ['place-2', 'Airbnb'],
  stays: [{ placeId: 'place-2', from: 10 }],
  staff: [],
  addStaff: [{ kind: 'user', value: 'u-7' }],
  removeStaff: [{ kind: 'access', value: 'a-9' }],
};

/** What Tauri must receive for those calls: the Rust names, camelCase arguments. */
const received: { [C in keyof Commands]: Commands[C]['args'] } = {
  overview: {},
  history: { query },
  doors: {},
  daily_counts: { query: { doorIds: ['door-front'], from: 10, to: 20 } },
  export_csv: { query: { doorIds: [] } },
  save_settings: { patch: { pollIntervalMins: 7, allowedOffset: { mode: 'unbounded' } } },
  set_token: { token: 'pk_live_123' },
  clear_token: {},
  start_demo: {},
  leave_demo: {},
  refresh_now: {},
  pause: { request: 'untilTomorrow' },
  resume: {},
  add_place: { place: { name: 'Sea cabin', token: 'pk_live_456', apiUrl: null } },
  update_place: { id: 'place-2', patch: { name: 'Studio', notifyMode: 'arrivals' } },
  set_place_token: { id: 'place-2', token: 'pk_live_789' },
  remove_place: { id: 'place-2', deleteHistory: true },
  mute_door: { doorId: 'door-front', request: 'oneHour' },
  test_notification: {},
  feeds: {},
  add_feed: { feed: { placeId: 'place-2', label: 'Airbnb', url: 'https://example.test/cal.ics', entries: 'bookings', blocksVacant: false } },
  check_feed: { placeId: 'place-2', label: 'Airbnb' },
  remove_feed: { placeId: 'place-2', label: 'Airbnb' },
  stays: { query: { placeId: 'place-2', from: 10 } },
  staff: {},
  add_staff: { person: { kind: 'user', value: 'u-7' } },
  remove_staff: { person: { kind: 'access', value: 'a-9' } },
};

describe('tauriBackend', () => {
  it('invokes each command by name with camelCase arguments and resolves to its answer', async () => {
    const seen: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args ?? {}]);
      return answers[cmd as keyof Commands] ?? null;
    });
    const b = tauriBackend();
    for (const [method, { command }] of Object.entries(COMMANDS)) {
      const run = b[method as keyof CommandMethods] as (...args: unknown[]) => Promise<unknown>;
      const answer = await run(...calls[method as keyof CommandMethods]);
      expect(answer, method).toEqual(answers[command] ?? null);
    }
    expect(seen).toEqual(Object.entries(received));
  });

  it('answers adding and renaming a place with the place, which the window names', async () => {
    mockIPC((cmd) => answers[cmd as keyof Commands] ?? null);
    const b = tauriBackend();
    expect((await b.addPlace({ name: 'Sea cabin', token: 'pk_live_456', apiUrl: null })).name).toBe('Sea cabin');
    expect((await b.updatePlace('place-2', { name: 'Studio' })).name).toBe('Studio');
  });

  it('rejects with the AppError the shell sent', async () => {
    const error: AppError = { code: 'RateLimited', message: 'Checked 10 s ago; try again in 20 s.', fields: [] };
    mockIPC(() => {
      throw error;
    });
    await expect(tauriBackend().refreshNow()).rejects.toEqual(error);
  });

  it('turns anything else into an Internal AppError', async () => {
    mockIPC(() => {
      throw 'command save_settings not allowed';
    });
    await expect(tauriBackend().saveSettings({})).rejects.toEqual({
      code: 'Internal',
      message: 'command save_settings not allowed',
      fields: [],
    });
  });

  it('listens to doorpost://changed and doorpost://open-event, and stops', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const b = tauriBackend();
    const changed = vi.fn();
    const opened = vi.fn();
    const stopChanged = await b.onChanged(changed);
    const stopOpened = await b.onOpenEvent(opened);

    const event = { inserted: 2, history: true, doors: false, overview: false, checks: null };
    await emit('doorpost://changed', event);
    await emit('doorpost://open-event', { id: 'evt-9' });
    expect(changed).toHaveBeenCalledWith(event);
    expect(opened).toHaveBeenCalledWith({ id: 'evt-9' });

    stopChanged();
    stopChanged();
    stopOpened();
    await emit('doorpost://changed', { inserted: 1 });
    expect(changed).toHaveBeenCalledTimes(1);
  });
});
