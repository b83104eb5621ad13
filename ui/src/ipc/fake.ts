// A Backend with sample data ("Harbour Loft": four doors, guests and staff, the odd lock that
// uploads hours late) for view tests and the browser preview. Dev and test only: main.ts
// imports it lazily behind a mode check, so production builds never contain it.
//
// It mirrors the shell's behaviour where views depend on it: keyset paging newest first by
// `(unlockedAt, id)`, `to` exclusive, text matching door or person case-insensitively,
// all-or-nothing settings validation with camelCase field names, errors as `AppError`.

import {
  MAX_PAGE,
  type AppError,
  type Backend,
  type ChangedEvent,
  type DayCount,
  type DoorView,
  type ErrorCode,
  type FieldError,
  type HistoryPageView,
  type HistoryQueryView,
  type HistoryRowView,
  type Mode,
  type OpenEvent,
  type Overview,
  type PauseRequest,
  type Settings,
  type SettingsPatch,
  type StatusView,
  type TokenCheck,
  type Unlisten,
} from './backend';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const DEFAULT_SETTINGS: Settings = {
  pollIntervalMins: 5,
  allowedOffset: { mode: 'minutes', minutes: 10 },
  watchedDoors: { mode: 'all' },
  notificationsEnabled: true,
  sound: false,
  autostart: false,
  backfillDays: 7,
  reconcileIntervalMins: 60,
  notifyMode: 'every',
  dayStartsAt: '04:00',
  quietHours: null,
  doorRules: [],
  retentionDays: 90,
  language: null,
};

export interface FakeDoor {
  id: string;
  name: string;
}

export const SAMPLE_DOORS: FakeDoor[] = [
  { id: 'door-front', name: 'Front door' },
  { id: 'door-lobby', name: 'Lobby' },
  { id: 'door-bikes', name: 'Bike store' },
  { id: 'door-loft', name: 'Loft 3B' },
];

const PEOPLE: (string | null)[] = [
  'Amira Haddad',
  'Jonas Berg',
  'Maria (cleaning)',
  'Chen Wei',
  'Sofia Rossi',
  null,
];

/** A calm, seeded pseudo-random sequence so samples look the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `count` unlocks spread over the `days` before `now`, newest first. */
export function sampleRows(now: number, count = 240, days = 21, doors = SAMPLE_DOORS): HistoryRowView[] {
  const random = seeded(7);
  const rows: HistoryRowView[] = [];
  for (let i = 0; i < count; i++) {
    const door = doors[Math.floor(random() * doors.length)] ?? doors[0]!;
    const user = PEOPLE[Math.floor(random() * PEOPLE.length)] ?? null;
    const unlockedAt = now - Math.floor(random() * days * DAY) - MIN;
    const late = random() < 0.06 ? Math.floor((0.5 + random() * 6) * HOUR) : null;
    rows.push({
      id: `evt-${String(i).padStart(5, '0')}`,
      unlockedAt,
      createdAt: unlockedAt + (late ?? Math.floor(random() * 20_000)),
      timestamp: unlockedAt,
      doorId: door.id,
      door: door.name,
      user,
      notification: late ? 'suppressed' : random() < 0.7 ? 'notified' : 'suppressed',
      lateByMs: late,
      placeId: null,
      placeName: null,
      repeat: false,
      muted: false,
    });
  }
  return rows.sort(newestFirst);
}

function newestFirst(a: HistoryRowView, b: HistoryRowView): number {
  return b.unlockedAt - a.unlockedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Whether `row` sorts strictly after (older than) the cursor. */
function olderThan(row: HistoryRowView, c: { unlockedAt: number; id: string }): boolean {
  return row.unlockedAt < c.unlockedAt || (row.unlockedAt === c.unlockedAt && row.id < c.id);
}

/** A deep copy through JSON, as data crossing IPC would be. */
function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function fail(code: ErrorCode, message: string, fields: FieldError[] = []): AppError {
  return { code, message, fields };
}

/** The Rust core's `Settings::validate`, for the fields the UI edits. */
export function validateSettings(s: Settings): FieldError[] {
  const errors: FieldError[] = [];
  if (!Number.isInteger(s.pollIntervalMins) || s.pollIntervalMins < 1 || s.pollIntervalMins > 60) {
    errors.push({ field: 'pollIntervalMins', message: 'Choose between 1 and 60 minutes (Parakey advises 5 or more).' });
  }
  if (s.allowedOffset.mode === 'minutes' && s.allowedOffset.minutes > 10080) {
    errors.push({ field: 'allowedOffset', message: 'At most 10080 minutes (7 days), or choose "no limit".' });
  }
  if (s.watchedDoors.mode === 'only' && s.watchedDoors.doors.length === 0) {
    errors.push({ field: 'watchedDoors', message: 'Pick at least one door, or watch all doors.' });
  }
  return errors;
}

export interface FakeOptions {
  mode?: Mode;
  now?: number;
  rows?: HistoryRowView[];
  doors?: FakeDoor[];
  settings?: Partial<Settings>;
  status?: Partial<StatusView>;
  /** Milliseconds each call waits, to make loading states visible in the preview. */
  latency?: number;
}

export interface FakeCall {
  method: keyof Backend;
  args: unknown[];
}

export class FakeBackend implements Backend {
  mode: Mode;
  tokenSet: boolean;
  rows: HistoryRowView[];
  doorList: FakeDoor[];
  settings: Settings;
  status: StatusView;
  /** Every call, in order, for tests to inspect. */
  calls: FakeCall[] = [];
  /** Make the next call of `method` reject with this error (once). */
  failures = new Map<keyof Backend, AppError>();
  private readonly now: () => number;
  private readonly latency: number;
  private changed = new Set<(e: ChangedEvent) => void>();
  private opened = new Set<(e: OpenEvent) => void>();

  constructor(options: FakeOptions = {}) {
    const fixedNow = options.now;
    this.now = fixedNow === undefined ? () => Date.now() : () => fixedNow;
    const now = this.now();
    this.mode = options.mode ?? 'demo';
    this.tokenSet = this.mode === 'account';
    this.doorList = options.doors ?? SAMPLE_DOORS;
    this.rows = options.rows ? [...options.rows].sort(newestFirst) : sampleRows(now, 240, 21, this.doorList);
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.latency = options.latency ?? 0;
    this.status = {
      phase: 'idle',
      lastCheck: now - 2 * MIN,
      nextCheck: now + 3 * MIN,
      pausedUntil: null,
      lastError: null,
      requestsToday: 148,
      notModifiedToday: 131,
      failuresToday: 2,
      gaps: [{ from: now - 9 * HOUR, to: now - 9 * HOUR + 45 * MIN, found: 2 }],
      authStyle: this.mode === 'unconfigured' ? null : 'access-token',
      quarantined: 1,
      eventsTotal: this.rows.length,
      quietUntil: null,
      watchingSince: null,
      incomplete: null,
      catchingUp: false,
      ...options.status,
    };
  }

  private async record<T>(method: keyof Backend, args: unknown[], run: () => T): Promise<T> {
    // Arguments cross as JSON, as they do over IPC (a Svelte state proxy arrives as plain data).
    this.calls.push({ method, args: wire(args) });
    if (this.latency > 0) await new Promise((r) => setTimeout(r, this.latency));
    else await Promise.resolve();
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
    return run();
  }

  /** The calls made to `method`, each as its argument list. */
  callsTo(method: keyof Backend): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  overview(): Promise<Overview> {
    return this.record('overview', [], () => ({
      mode: this.mode,
      tokenSet: this.tokenSet,
      status: wire(this.status),
      settings: wire(this.settings),
      places: [],
      language: 'en' as const,
      locale: 'en-GB',
    }));
  }

  private matching(q: HistoryQueryView): HistoryRowView[] {
    const text = q.text?.trim().toLowerCase();
    return this.rows.filter(
      (r) =>
        (q.doorIds.length === 0 || (r.doorId !== null && q.doorIds.includes(r.doorId))) &&
        (!text || r.door.toLowerCase().includes(text) || (r.user ?? '').toLowerCase().includes(text)) &&
        (q.from === undefined || r.unlockedAt >= q.from) &&
        (q.to === undefined || r.unlockedAt < q.to),
    );
  }

  history(query: HistoryQueryView): Promise<HistoryPageView> {
    return this.record('history', [query], () => {
      const all = this.matching(query);
      const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_PAGE);
      const before = query.before;
      const after = before ? all.filter((r) => olderThan(r, before)) : all;
      const rows = after.slice(0, limit);
      const last = rows[rows.length - 1];
      const next = after.length > limit && last ? { unlockedAt: last.unlockedAt, id: last.id } : null;
      return { rows: wire(rows), next, total: all.length };
    });
  }

  doors(): Promise<DoorView[]> {
    return this.record('doors', [], () =>
      this.doorList.map((d) => {
        const mine = this.rows.filter((r) => r.doorId === d.id);
        return {
          id: d.id,
          name: d.name,
          lastUnlock: mine[0]?.unlockedAt ?? 0,
          count: mine.length,
          placeId: null,
          placeName: null,
          mutedUntil: null,
          mutedCount: 0,
        };
      }),
    );
  }

  dailyCounts(from: number, to: number): Promise<DayCount[]> {
    return this.record('dailyCounts', [from, to], () => {
      const counts = new Map<string, number>();
      for (const r of this.rows) {
        if (r.unlockedAt >= from && r.unlockedAt < to) {
          const day = localDay(r.unlockedAt);
          counts.set(day, (counts.get(day) ?? 0) + 1);
        }
      }
      return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, count]) => ({ day, count }));
    });
  }

  exportCsv(query: HistoryQueryView): Promise<string> {
    return this.record('exportCsv', [query], () => '/home/you/Downloads/doorpost-unlocks.csv');
  }

  saveSettings(patch: SettingsPatch): Promise<Settings> {
    return this.record('saveSettings', [patch], () => {
      const next: Settings = { ...this.settings };
      for (const [key, value] of Object.entries(wire(patch))) {
        if (value !== undefined) (next as Record<string, unknown>)[key] = value;
      }
      const errors = validateSettings(next);
      if (errors.length > 0) throw fail('InvalidSettings', 'Some settings need a look; nothing was saved.', errors);
      this.settings = next;
      return wire(next);
    });
  }

  setToken(token: string): Promise<TokenCheck> {
    return this.record('setToken', [token], () => {
      if (token.trim().length < 8 || token.includes('bad')) {
        throw fail(
          'AuthRejected',
          'Parakey rejected the token (401). Create a new one under Settings → Integrations and paste it here.',
        );
      }
      this.mode = 'account';
      this.tokenSet = true;
      this.status = { ...this.status, phase: 'idle', authStyle: 'access-token', lastError: null };
      return { authStyle: 'access-token', doorsSeen: this.doorList.length, eventsSeen: this.rows.length };
    });
  }

  clearToken(): Promise<void> {
    return this.record('clearToken', [], () => {
      this.tokenSet = false;
      this.mode = 'unconfigured';
    });
  }

  startDemo(): Promise<void> {
    return this.record('startDemo', [], () => {
      this.mode = 'demo';
    });
  }

  refreshNow(): Promise<void> {
    return this.record('refreshNow', [], () => {
      this.status = { ...this.status, lastCheck: this.now(), requestsToday: this.status.requestsToday + 1 };
      this.emitChanged(0);
    });
  }

  pause(request: PauseRequest): Promise<void> {
    return this.record('pause', [request], () => {
      const now = this.now();
      const tomorrow = new Date(now);
      tomorrow.setHours(24, 0, 0, 0);
      const until = request === 'oneHour' ? now + HOUR : request === 'untilTomorrow' ? tomorrow.getTime() : null;
      this.status = { ...this.status, phase: 'paused', pausedUntil: until, nextCheck: until };
      this.emitChanged(0);
    });
  }

  resume(): Promise<void> {
    return this.record('resume', [], () => {
      this.status = { ...this.status, phase: 'idle', pausedUntil: null, nextCheck: this.now() + 5 * MIN };
      this.emitChanged(0);
    });
  }

  onChanged(handler: (event: ChangedEvent) => void): Promise<Unlisten> {
    this.changed.add(handler);
    return Promise.resolve(() => this.changed.delete(handler));
  }

  onOpenEvent(handler: (event: OpenEvent) => void): Promise<Unlisten> {
    this.opened.add(handler);
    return Promise.resolve(() => this.opened.delete(handler));
  }

  /** What the shell does after a sync. */
  emitChanged(inserted: number): void {
    for (const h of this.changed) h({ inserted });
  }

  /** What the shell does when a notification or the tray picks an unlock. */
  emitOpenEvent(id: string): void {
    for (const h of this.opened) h({ id });
  }

  /** Adds one unlock now, as the demo does every 20 s or so, and announces it. */
  addUnlock(door = this.doorList[0]!, user: string | null = 'Amira Haddad'): HistoryRowView {
    const now = this.now();
    const row: HistoryRowView = {
      id: `evt-live-${now}-${this.rows.length}`,
      unlockedAt: now,
      createdAt: now + 1500,
      timestamp: now,
      doorId: door.id,
      door: door.name,
      user,
      notification: 'notified',
      lateByMs: null,
      placeId: null,
      placeName: null,
      repeat: false,
      muted: false,
    };
    this.rows = [row, ...this.rows].sort(newestFirst);
    this.status = { ...this.status, lastCheck: now, eventsTotal: this.rows.length };
    this.emitChanged(1);
    return row;
  }
}

/** The browser preview: sample data that keeps arriving, like the demo. */
export function previewBackend(): FakeBackend {
  const fake = new FakeBackend({ mode: new URLSearchParams(location.search).has('first-run') ? 'unconfigured' : 'demo', latency: 120 });
  const random = seeded(11);
  setInterval(() => {
    const door = SAMPLE_DOORS[Math.floor(random() * SAMPLE_DOORS.length)]!;
    fake.addUnlock(door, PEOPLE[Math.floor(random() * PEOPLE.length)] ?? null);
  }, 20_000);
  return fake;
}
