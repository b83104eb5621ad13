// A Backend with sample data ("Harbour Loft": four doors, guests and staff, the odd lock that
// uploads hours late; with `places: 2` also "Old Town Studio", whose front door has the same
// name) for view tests and the browser preview. Dev and test only: main.ts
// imports it lazily behind a mode check, so production builds never contain it.
//
// It mirrors the shell's behaviour where views depend on it: keyset paging newest first by
// `(unlockedAt, id)`, `to` exclusive, text matching door or person case-insensitively,
// all-or-nothing settings validation with camelCase field names, errors as `AppError`;
// places with their own tokens and statuses, the language in effect (the setting, else the
// system's) and its locale, mutes, and "pause" as pausing notifications until 07:00; booking
// feeds (links kept, never answered; labels unique per place; https only), stays, each
// unlock's mark and staff (sample data in fake-stays.ts), a change event after each change.

import {
  MAX_PAGE,
  type AppError,
  type Backend,
  type ChangedEvent,
  type DayCount,
  type DoorView,
  type ErrorCode,
  type Field,
  type FeedView,
  type FieldError,
  type HistoryPageView,
  type HistoryQueryView,
  type HistoryRowView,
  type Language,
  type LearnedView,
  type Mode,
  type MuteRequest,
  type NewFeed,
  type NewPlace,
  type NotifyMode,
  type OpenEvent,
  type Overview,
  type PauseRequest,
  type PhaseView,
  type PlacePatch,
  type PlaceView,
  type Problem,
  type Settings,
  type SettingsPatch,
  type StaffRef,
  type StaysQuery,
  type StayView,
  type StatusView,
  type TokenCheck,
  type Unlisten,
} from './backend';
import { DEFAULTS, LIMITS, PER_PLACE } from './generated/settingsTable';
import {
  arrive,
  markRows,
  PROBLEM_MESSAGES,
  problemFor,
  sameRef,
  SAMPLE_STAFF,
  sampleFeeds,
  sampleStays,
  type FakeFeed,
  type FakeStay,
} from './fake-stays';

const MIN = 60_000;
/** What a place's poller knows of its server before the first check. */
export const NOTHING_LEARNED: LearnedView = {
  largestLimit: null,
  pageMax: null,
  ascending: 'unknown',
  skip: 'unknown',
  startFilter: 'unknown',
  lastRefusal: null,
  learnedAt: null,
  perMinute: null,
  unservableAt: null,
};
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The core's defaults, as the Rust settings table exports them. */
export const DEFAULT_SETTINGS: Settings = DEFAULTS;

export interface FakeDoor {
  id: string;
  name: string;
  /** The place the door belongs to; none for doors made up by a test. */
  placeId?: string;
}

export interface FakePlace {
  id: string;
  name: string;
  apiUrl: string | null;
  tokenSet: boolean;
  notifyMode: NotifyMode | null;
  /** This place's own phase when it differs from the shared one (a rejected token). */
  phase: PhaseView | null;
  /** Its own values of the settings with a per-place scope. */
  ownSettings?: SettingsPatch;
}

export const SAMPLE_PLACES: readonly { id: string; name: string }[] = [
  { id: 'place-harbour', name: 'Harbour Loft' },
  { id: 'place-oldtown', name: 'Old Town Studio' },
];

export const SAMPLE_DOORS: FakeDoor[] = [
  { id: 'door-front', name: 'Front door', placeId: 'place-harbour' },
  { id: 'door-lobby', name: 'Lobby', placeId: 'place-harbour' },
  { id: 'door-bikes', name: 'Bike store', placeId: 'place-harbour' },
  { id: 'door-loft', name: 'Loft 3B', placeId: 'place-harbour' },
];

/** The second place's doors: its front door has the same name as the first's. */
export const SECOND_PLACE_DOORS: FakeDoor[] = [
  { id: 'door-studio-front', name: 'Front door', placeId: 'place-oldtown' },
  { id: 'door-studio-cellar', name: 'Cellar', placeId: 'place-oldtown' },
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
  const placeName = (id: string | undefined) => SAMPLE_PLACES.find((p) => p.id === id)?.name ?? null;
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
      placeId: door.placeId ?? null,
      placeName: placeName(door.placeId),
      repeat: false,
      muted: false,
      duplicateOf: null,
      stay: null,
      staffRef: null,
      isStaff: false,
    });
  }
  markRepeats(rows);
  // A few unlocks at a muted door, kept but not notified.
  rows.forEach((r, i) => {
    if (i % 61 === 30) {
      r.muted = true;
      r.notification = 'suppressed';
    }
  });
  return rows.sort(newestFirst);
}

/**
 * Marks every unlock that is not its person's first of the day at its place (the day
 * starting at 04:00), as the shell does; unnamed unlocks are never repeats.
 */
export function markRepeats(rows: HistoryRowView[], dayStartsAt = 4 * HOUR): void {
  const seen = new Set<string>();
  for (const r of [...rows].sort((a, b) => a.unlockedAt - b.unlockedAt)) {
    if (r.user === null) continue;
    const key = `${r.placeId}|${r.user}|${localDay(r.unlockedAt - dayStartsAt)}`;
    r.repeat = seen.has(key);
    seen.add(key);
  }
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

/**
 * The Rust settings table's checks (`Settings::validate`), from the exported limits: each
 * problem with its code and parameters, worded as the shell's English catalogue words it.
 * Times need no check: a text that is not `HH:MM` never crosses as a `ClockTime`.
 */
export function validateSettings(s: Settings): FieldError[] {
  const errors: FieldError[] = [];
  const bad = (field: Field, problem: Problem, message: string) => errors.push({ field, problem, message });
  const range = (field: keyof typeof LIMITS, value: number, words: (min: number, max: number) => string) => {
    const { min, max } = LIMITS[field];
    if (!Number.isInteger(value) || value < min || value > max) bad(field, { code: 'outOfRange', min, max }, words(min, max));
  };
  range('pollIntervalMins', s.pollIntervalMins, (min, max) => `Choose between ${min} and ${max} minutes (Parakey recommends 5 or more).`);
  if (s.allowedOffset.mode === 'minutes') {
    range('allowedOffset', s.allowedOffset.minutes, () => 'At most 7 days, or choose “no limit”.');
  }
  if (s.watchedDoors.mode === 'only' && s.watchedDoors.doors.length === 0) {
    bad('watchedDoors', { code: 'noDoors' }, 'Pick at least one door, or watch all doors.');
  }
  if (s.quietHours && s.quietHours.from === s.quietHours.to) {
    bad('quietHours', { code: 'sameTimes' }, 'Quiet hours must start and end at different times.');
  }
  if (s.retentionDays !== null) {
    range('retentionDays', s.retentionDays, (min, max) => `Choose between ${min} and ${max} days, or keep names forever.`);
  }
  range('staysBufferMins', s.staysBufferMins, (min, max) => `Choose between ${min} and ${max} minutes.`);
  if (s.staysTimezone !== null && !knownZone(s.staysTimezone)) {
    bad('staysTimezone', { code: 'unknownTimeZone' }, 'Unknown time zone; use an IANA name such as Europe/Oslo.');
  }
  range('backfillDays', s.backfillDays, (min, max) => `Choose between ${min} and ${max} days.`);
  range('reconcileIntervalMins', s.reconcileIntervalMins, () => 'Choose between 10 minutes and 24 hours.');
  const ruled = s.doorRules.map((r) => r.doorId);
  if (ruled.some((id) => id.trim() === '') || new Set(ruled).size !== ruled.length) {
    bad('doorRules', { code: 'duplicateRule' }, 'Each door can have one rule.');
  }
  return errors;
}

/** Whether `zone` is an IANA zone, spelled as the shell's zone database spells it. */
function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    // The zone database's names are case-sensitive; Intl's are not.
    return zone.split('/').every((part) => /^[A-Z]/.test(part));
  } catch {
    return false;
  }
}

/**
 * A place's own values with `patch` set and `clear` back to the defaults, as the shell's
 * `Settings::place_values` does: a field without a per-place scope is refused, and the
 * place's settings must pass the same checks. All or nothing.
 */
export function placeValues(defaults: Settings, own: SettingsPatch, patch: PlacePatch): SettingsPatch {
  const change = Object.keys(patch.settings ?? {}) as Field[];
  const refused = [...change, ...(patch.clearSettings ?? [])].filter((f) => !PER_PLACE.includes(f));
  if (refused.length > 0) {
    const fields = [...new Set(refused)].map((field) => ({
      field,
      problem: { code: 'notPerPlace' } as Problem,
      message: 'This setting is the same at every place.',
    }));
    throw fail('InvalidSettings', 'Nothing was saved.', fields);
  }
  const next: Record<string, unknown> = { ...own, ...wire(patch.settings ?? {}) };
  for (const f of patch.clearSettings ?? []) delete next[f];
  const errors = validateSettings({ ...defaults, ...next } as Settings);
  if (errors.length > 0) throw fail('InvalidSettings', 'Nothing was saved.', errors);
  return next as SettingsPatch;
}

/** The next 07:00 local: this morning's when it is not yet 07:00, else tomorrow's. */
export function nextSevenAm(now: number): number {
  const d = new Date(now);
  if (d.getHours() >= 7) d.setDate(d.getDate() + 1);
  d.setHours(7, 0, 0, 0);
  return d.getTime();
}

const SEVERITY: PhaseView[] = ['authRejected', 'redirected', 'notConfigured', 'degraded', 'paused', 'checking', 'idle'];

function worst(phases: PhaseView[]): PhaseView {
  return SEVERITY.find((p) => phases.includes(p)) ?? 'idle';
}

export interface FakeOptions {
  mode?: Mode;
  now?: number;
  rows?: HistoryRowView[];
  doors?: FakeDoor[];
  /** How many sample places: 1 (Harbour Loft, the default) or 2 (and Old Town Studio). */
  places?: 1 | 2;
  /** The system's language and locale, in effect while `settings.language` is null. */
  systemLanguage?: Language;
  systemLocale?: string;
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
  placeList: FakePlace[];
  settings: Settings;
  status: StatusView;
  systemLanguage: Language;
  systemLocale: string;
  /** Booking feeds with their links (never answered), the stays read from them, staff. */
  feedList: FakeFeed[];
  stayList: FakeStay[];
  staffList: StaffRef[];
  /** Door id → muted until (wall clock) and unlocks kept meanwhile. */
  mutes = new Map<string, { until: number; count: number }>();
  /** Every call, in order, for tests to inspect. */
  calls: FakeCall[] = [];
  /** Make the next call of `method` reject with this error (once). */
  failures = new Map<keyof Backend, AppError>();
  private readonly now: () => number;
  private readonly latency: number;
  private changed = new Set<(e: ChangedEvent) => void>();
  private opened = new Set<(e: OpenEvent) => void>();
  private readonly settingsOpened = new Set<() => void>();

  constructor(options: FakeOptions = {}) {
    const fixedNow = options.now;
    this.now = fixedNow === undefined ? () => Date.now() : () => fixedNow;
    const now = this.now();
    this.mode = options.mode ?? 'demo';
    this.tokenSet = this.mode === 'account';
    const placeCount = options.places ?? 1;
    this.placeList = SAMPLE_PLACES.slice(0, placeCount).map((p) => ({
      ...p,
      apiUrl: null,
      tokenSet: this.mode === 'account',
      notifyMode: null,
      phase: null,
    }));
    this.doorList = options.doors ?? (placeCount === 2 ? [...SAMPLE_DOORS, ...SECOND_PLACE_DOORS] : SAMPLE_DOORS);
    this.systemLanguage = options.systemLanguage ?? 'en';
    this.systemLocale = options.systemLocale ?? (this.systemLanguage === 'nb' ? 'nb-NO' : 'en-GB');
    this.feedList = sampleFeeds(now);
    this.stayList = sampleStays(now);
    this.staffList = SAMPLE_STAFF.map((p) => ({ ...p }));
    if (options.rows) this.rows = [...options.rows].sort(newestFirst);
    else {
      const rows = sampleRows(now, 240, 21, this.doorList);
      markRows(rows, this.stayList, this.feedList, this.staffList, now);
      markRepeats(rows);
      this.rows = rows.sort(newestFirst);
    }
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
      cantCheckSince: null,
      learned:
        this.mode === 'unconfigured'
          ? NOTHING_LEARNED
          : {
              largestLimit: 500,
              pageMax: null,
              ascending: 'accepted',
              skip: 'unknown',
              startFilter: 'createdAt',
              lastRefusal: null,
              learnedAt: null,
              perMinute: null,
              unservableAt: null,
            },
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

  /** The places the window sees: none before the first run. */
  private visiblePlaces(): FakePlace[] {
    return this.mode === 'unconfigured' ? [] : this.placeList;
  }

  private placeView(p: FakePlace): PlaceView {
    return {
      id: p.id,
      name: p.name,
      apiUrl: p.apiUrl,
      tokenSet: p.tokenSet,
      notifyMode: p.notifyMode,
      ownSettings: p.ownSettings ?? {},
      status: {
        ...this.status,
        phase: p.phase ?? this.status.phase,
        eventsTotal: this.rows.filter((r) => r.placeId === p.id).length,
      },
    };
  }

  private findPlace(id: string): FakePlace {
    const place = this.placeList.find((p) => p.id === id);
    if (!place) throw fail('NotConfigured', 'That place is no longer set up.');
    return place;
  }

  /** The language in effect: the setting, else the system's; and the locale dates follow. */
  language(): { language: Language; locale: string } {
    const language = this.settings.language ?? this.systemLanguage;
    const locale = language === this.systemLanguage ? this.systemLocale : language === 'nb' ? 'nb-NO' : 'en-GB';
    return { language, locale };
  }

  overview(): Promise<Overview> {
    return this.record('overview', [], () => {
      const places = this.visiblePlaces();
      const phase = worst([this.status.phase, ...places.map((p) => p.phase ?? this.status.phase)]);
      return {
        mode: this.mode,
        tokenSet: this.tokenSet,
        status: wire({ ...this.status, phase }),
        settings: wire(this.settings),
        places: wire(places.map((p) => this.placeView(p))),
        ...this.language(),
      };
    });
  }

  private matching(q: HistoryQueryView): HistoryRowView[] {
    const text = q.text?.trim().toLowerCase();
    const placeIds = q.placeIds ?? [];
    return this.rows.filter(
      (r) =>
        (q.doorIds.length === 0 || (r.doorId !== null && q.doorIds.includes(r.doorId))) &&
        (placeIds.length === 0 || (r.placeId !== null && placeIds.includes(r.placeId))) &&
        (!text || r.door.toLowerCase().includes(text) || (r.user ?? '').toLowerCase().includes(text)) &&
        (q.from === undefined || r.unlockedAt >= q.from) &&
        (q.to === undefined || r.unlockedAt < q.to) &&
        (q.stayId === undefined || r.stay?.stayId === q.stayId),
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
      this.doorList.map((d) => this.doorView(d)),
    );
  }

  private doorView(d: FakeDoor): DoorView {
    const mine = this.rows.filter((r) => r.doorId === d.id);
    const mute = this.mutes.get(d.id);
    const muted = mute !== undefined && mute.until > this.now();
    return {
      id: d.id,
      name: d.name,
      lastUnlock: mine[0]?.unlockedAt ?? 0,
      count: mine.length,
      placeId: d.placeId ?? null,
      placeName: this.placeList.find((p) => p.id === d.placeId)?.name ?? null,
      mutedUntil: muted ? mute.until : null,
      mutedCount: muted ? mute.count : 0,
    };
  }

  dailyCounts(query: HistoryQueryView): Promise<DayCount[]> {
    return this.record('dailyCounts', [query], () => {
      const counts = new Map<string, number>();
      for (const r of this.matching(query)) {
        const day = localDay(r.unlockedAt);
        counts.set(day, (counts.get(day) ?? 0) + 1);
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
      this.checkToken(token);
      this.mode = 'account';
      this.tokenSet = true;
      if (this.placeList.length === 0) this.placeList = [{ ...SAMPLE_PLACES[0]!, apiUrl: null, tokenSet: true, notifyMode: null, phase: null }];
      for (const p of this.placeList) {
        p.tokenSet = true;
        p.phase = null;
      }
      this.status = { ...this.status, phase: 'idle', authStyle: 'access-token', lastError: null };
      return { authStyle: 'access-token', doorsSeen: this.doorList.length, eventsSeen: this.rows.length };
    });
  }

  clearToken(): Promise<void> {
    return this.record('clearToken', [], () => {
      this.tokenSet = false;
      this.mode = 'unconfigured';
      for (const p of this.placeList) p.tokenSet = false;
    });
  }

  startDemo(): Promise<void> {
    return this.record('startDemo', [], () => {
      this.mode = 'demo';
    });
  }

  leaveDemo(): Promise<void> {
    return this.record('leaveDemo', [], () => {
      if (this.mode !== 'demo') throw fail('NotConfigured', 'The demo is not running.');
      this.mode = 'unconfigured';
      this.tokenSet = false;
    });
  }

  private checkToken(token: string): void {
    if (token.trim().length < 8 || token.includes('bad')) {
      throw fail(
        'AuthRejected',
        'Parakey rejected the token (401). Create a new one under Settings → Integrations and paste it here.',
      );
    }
  }

  addPlace(place: NewPlace): Promise<PlaceView> {
    return this.record('addPlace', [place], () => {
      const errors: FieldError[] = [];
      const name = place.name.trim();
      if (name === '') errors.push({ field: 'name', problem: { code: 'nameLength', max: 80 }, message: 'Give the place a name.' });
      if (this.placeList.some((p) => p.name.toLowerCase() === name.toLowerCase())) {
        errors.push({ field: 'name', problem: { code: 'nameTaken' }, message: 'Another place already has this name.' });
      }
      const api = place.apiUrl?.trim() || null;
      if (api !== null && !/^(https:\/\/[^\s/]+|http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?)(\/\S*)?$/.test(api)) {
        errors.push({ field: 'apiUrl', problem: { code: 'badAddress' }, message: 'Use an https:// address (http:// only to this computer).' });
      }
      if (errors.length > 0) throw fail('InvalidSettings', 'Nothing was added.', errors);
      this.checkToken(place.token);
      const added: FakePlace = { id: `place-${this.placeList.length + 1}-${name.length}`, name, apiUrl: api, tokenSet: true, notifyMode: null, phase: null };
      this.placeList = [...this.placeList, added];
      this.mode = 'account';
      this.tokenSet = true;
      return wire(this.placeView(added));
    });
  }

  updatePlace(id: string, patch: PlacePatch): Promise<PlaceView> {
    return this.record('updatePlace', [id, patch], () => {
      const place = this.findPlace(id);
      if (patch.name !== undefined) {
        const name = patch.name.trim();
        if (name === '') throw fail('InvalidSettings', 'Nothing was saved.', [{ field: 'name', problem: { code: 'nameLength', max: 80 }, message: 'Give the place a name.' }]);
        place.name = name;
        for (const r of this.rows) if (r.placeId === id) r.placeName = name;
      }
      if (patch.settings !== undefined || patch.clearSettings !== undefined) {
        place.ownSettings = placeValues(this.settings, place.ownSettings ?? {}, patch);
      }
      if (patch.notifyMode !== undefined) place.notifyMode = patch.notifyMode;
      return wire(this.placeView(place));
    });
  }

  setPlaceToken(id: string, token: string): Promise<TokenCheck> {
    return this.record('setPlaceToken', [id, token], () => {
      const place = this.findPlace(id);
      this.checkToken(token);
      place.tokenSet = true;
      place.phase = null;
      if (this.status.phase === 'authRejected') this.status = { ...this.status, phase: 'idle', lastError: null };
      const doors = this.doorList.filter((d) => d.placeId === id);
      return { authStyle: 'access-token', doorsSeen: doors.length, eventsSeen: this.rows.filter((r) => r.placeId === id).length };
    });
  }

  removePlace(id: string, deleteHistory: boolean): Promise<void> {
    return this.record('removePlace', [id, deleteHistory], () => {
      this.findPlace(id);
      this.placeList = this.placeList.filter((p) => p.id !== id);
      this.doorList = this.doorList.filter((d) => d.placeId !== id);
      if (deleteHistory) this.rows = this.rows.filter((r) => r.placeId !== id);
      if (this.placeList.length === 0) {
        this.mode = 'unconfigured';
        this.tokenSet = false;
      }
      this.status = { ...this.status, eventsTotal: this.rows.length };
    });
  }

  muteDoor(doorId: string, request: MuteRequest): Promise<void> {
    return this.record('muteDoor', [doorId, request], () => {
      const door = this.doorList.find((d) => d.id === doorId);
      if (!door) throw fail('NotConfigured', 'That door is no longer listed.');
      const now = this.now();
      if (request === 'unmute') this.mutes.delete(doorId);
      else this.mutes.set(doorId, { until: request === 'oneHour' ? now + HOUR : nextSevenAm(now), count: 0 });
    });
  }

  testNotification(): Promise<void> {
    return this.record('testNotification', [], () => {});
  }

  // Stays (issue 16): feeds by place and label, their links kept here and never answered.
  private visibleFeeds(): FakeFeed[] {
    const places = new Set(this.visiblePlaces().map((p) => p.id));
    return this.feedList.filter((f) => places.has(f.view.placeId));
  }

  private findFeed(placeId: string, label: string): FakeFeed {
    const feed = this.feedList.find((f) => f.view.placeId === placeId && f.view.label === label);
    if (!feed) throw fail('NotConfigured', 'That feed is no longer listed.');
    return feed;
  }

  feeds(): Promise<FeedView[]> {
    return this.record('feeds', [], () => wire(this.visibleFeeds().map((f) => f.view)));
  }

  addFeed(feed: NewFeed): Promise<FeedView> {
    // The link is a secret: not even the fake's call log keeps it.
    return this.record('addFeed', [{ ...feed, url: '<redacted>' }], () => {
      this.findPlace(feed.placeId);
      const label = feed.label.trim();
      const url = feed.url.trim();
      const errors: FieldError[] = [];
      if (label === '' || label.length > 40) {
        errors.push({ field: 'label', problem: { code: 'nameLength', max: 40 }, message: 'Give the feed a name of up to 40 characters.' });
      } else if (this.feedList.some((f) => f.view.placeId === feed.placeId && f.view.label.toLowerCase() === label.toLowerCase())) {
        errors.push({ field: 'label', problem: { code: 'nameTaken' }, message: 'This place already has a feed with this name.' });
      }
      const problem = problemFor(url);
      if (problem === 'insecure') errors.push({ field: 'url', problem: { code: 'badAddress' }, message: PROBLEM_MESSAGES.insecure });
      if (errors.length > 0) throw fail('InvalidSettings', 'Nothing was added.', errors);
      // Fetched and read before anything is kept: a link that does not give a calendar is refused.
      if (problem !== null) throw fail('Network', `Nothing was added: ${PROBLEM_MESSAGES[problem]}`);
      const now = this.now();
      const added: FakeFeed = {
        url,
        view: {
          placeId: feed.placeId,
          label,
          entries: feed.entries,
          blocksVacant: feed.blocksVacant,
          fetchedAt: now,
          okAt: now,
          staysFound: 2,
          problem: null,
          httpStatus: null,
          stale: false,
        },
      };
      this.feedList = [...this.feedList, added];
      this.emitChanged({ history: true });
      return wire(added.view);
    });
  }

  checkFeed(placeId: string, label: string): Promise<FeedView> {
    return this.record('checkFeed', [placeId, label], () => {
      const feed = this.findFeed(placeId, label);
      const now = this.now();
      const problem = problemFor(feed.url);
      const okAt = problem === null ? now : feed.view.okAt;
      feed.view = { ...feed.view, fetchedAt: now, okAt, problem, stale: okAt === null || now - okAt > DAY };
      this.emitChanged({ history: true });
      return wire(feed.view);
    });
  }

  removeFeed(placeId: string, label: string): Promise<void> {
    return this.record('removeFeed', [placeId, label], () => {
      const feed = this.findFeed(placeId, label);
      // The stays already seen stay, and so do the marks in the history.
      this.feedList = this.feedList.filter((f) => f !== feed);
      this.emitChanged({ history: true });
    });
  }

  stays(query: StaysQuery): Promise<StayView[]> {
    return this.record('stays', [query], () => {
      const from = query.from ?? this.now() - 7 * DAY;
      const places = new Map(this.visiblePlaces().map((p) => [p.id, p.name]));
      const listed = this.stayList.filter(
        (s) => places.has(s.placeId) && (query.placeId === undefined || s.placeId === query.placeId) && s.checkOut >= from,
      );
      return wire(listed.sort((a, b) => a.checkIn - b.checkIn).map((s) => ({ ...s, placeName: places.get(s.placeId)! })));
    });
  }

  staff(): Promise<StaffRef[]> {
    return this.record('staff', [], () => wire(this.staffList));
  }

  addStaff(person: StaffRef): Promise<void> {
    return this.record('addStaff', [person], () => {
      const value = person.value.trim();
      if (value === '') throw fail('InvalidSettings', 'Nothing was added.', [{ field: 'name', problem: { code: 'nameLength', max: 80 }, message: "Give the person's name." }]);
      const added = { kind: person.kind, value };
      if (!this.staffList.some((p) => sameRef(added, p))) this.staffList = [...this.staffList, added];
      this.markStaff(added, true);
    });
  }

  removeStaff(person: StaffRef): Promise<void> {
    return this.record('removeStaff', [person], () => {
      this.staffList = this.staffList.filter((p) => !sameRef(person, p));
      this.markStaff(person, false);
    });
  }

  /** Every unlock by `person` is (or is no longer) staff's; the history says so. */
  private markStaff(person: StaffRef, staff: boolean): void {
    for (const r of this.rows) if (sameRef(r.staffRef, person)) r.isStaff = staff;
    this.emitChanged({ history: true });
  }

  refreshNow(): Promise<void> {
    return this.record('refreshNow', [], () => {
      this.status = { ...this.status, lastCheck: this.now(), requestsToday: this.status.requestsToday + 1 };
      this.emitChecked();
    });
  }

  pause(request: PauseRequest): Promise<void> {
    return this.record('pause', [request], () => {
      // Notifications pause; checking goes on, so the next check stays as it was.
      const now = this.now();
      const until = request === 'oneHour' ? now + HOUR : request === 'untilTomorrow' ? nextSevenAm(now) : null;
      this.status = { ...this.status, phase: 'paused', pausedUntil: until };
      this.emitChanged({ overview: true });
    });
  }

  resume(): Promise<void> {
    return this.record('resume', [], () => {
      this.status = { ...this.status, phase: 'idle', pausedUntil: null };
      this.emitChanged({ overview: true });
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

  onOpenSettings(handler: () => void): Promise<Unlisten> {
    this.settingsOpened.add(handler);
    return Promise.resolve(() => this.settingsOpened.delete(handler));
  }

  /** What the shell does when the tray's Settings item is chosen. */
  emitOpenSettings(): void {
    for (const h of this.settingsOpened) h();
  }

  /**
   * What the shell does after a change. A number is "everything may have changed, with that
   * many new unlocks" (a new session, lost signals); an object says what changed, as the
   * shell decides it (flags left out are false).
   */
  emitChanged(change: number | Partial<ChangedEvent> = 0): void {
    const event: ChangedEvent =
      typeof change === 'number'
        ? { inserted: change, history: true, doors: true, overview: true, stays: true, checks: null }
        : { inserted: 0, history: false, doors: false, overview: false, stays: false, checks: null, ...change };
    for (const h of this.changed) h(event);
  }

  /** What the shell sends when a check moved only its times: the times, nothing to refetch. */
  emitChecked(): void {
    const check = (s: StatusView) => ({ phase: s.phase, lastCheck: s.lastCheck, nextCheck: s.nextCheck });
    const places = this.visiblePlaces().map((p) => ({ id: p.id, check: check(this.placeView(p).status) }));
    this.emitChanged({ checks: { all: check(this.status), places } });
  }

  /** What the shell does when a notification or the tray picks an unlock. */
  emitOpenEvent(id: string): void {
    for (const h of this.opened) h({ id });
  }

  /** Adds one unlock now, as the demo does every 20 s or so, and announces it. */
  addUnlock(door = this.doorList[0]!, user: string | null = 'Amira Haddad'): HistoryRowView {
    const now = this.now();
    const place = this.placeList.find((p) => p.id === door.placeId);
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
      placeId: place?.id ?? null,
      placeName: place?.name ?? null,
      repeat: false,
      muted: false,
      duplicateOf: null,
      stay: null,
      staffRef: null,
      isStaff: false,
    };
    arrive(row, this.stayList, this.feedList, this.staffList);
    this.rows = [row, ...this.rows].sort(newestFirst);
    this.status = { ...this.status, lastCheck: now, eventsTotal: this.rows.length };
    // As the shell does: the sync's commit (one new unlock at a known door), then its
    // status, whose only change is the check time.
    this.emitChanged({ inserted: 1, history: true });
    this.emitChecked();
    return row;
  }
}

/** The browser preview: sample data that keeps arriving, like the demo. */
// `?first-run` opens the welcome screen, `?places=2` an account with two places, `?nb` the
// window in Norwegian, `?rejected` a rejected token at the last place, `?quiet` quiet hours
// until 07:00, `?watching=N` watching for N days only (the chart's "no data").
export function previewBackend(): FakeBackend {
  const params = new URLSearchParams(location.search);
  const twoPlaces = params.get('places') === '2';
  const fake = new FakeBackend({
    mode: params.has('first-run') ? 'unconfigured' : twoPlaces || params.has('rejected') ? 'account' : 'demo',
    places: twoPlaces ? 2 : 1,
    systemLanguage: params.has('nb') ? 'nb' : 'en',
    latency: 120,
  });
  const last = fake.placeList[fake.placeList.length - 1];
  if (params.has('rejected') && last) last.phase = 'authRejected';
  if (params.has('quiet')) fake.status = { ...fake.status, quietUntil: nextSevenAm(Date.now()) };
  const watching = Number(params.get('watching'));
  if (watching > 0) {
    const since = Date.now() - watching * DAY;
    fake.rows = fake.rows.filter((r) => r.unlockedAt >= since);
    fake.status = { ...fake.status, watchingSince: since, eventsTotal: fake.rows.length };
  }
  const random = seeded(11);
  setInterval(() => {
    const door = fake.doorList[Math.floor(random() * fake.doorList.length)]!;
    fake.addUnlock(door, PEOPLE[Math.floor(random() * PEOPLE.length)] ?? null);
  }, 20_000);
  return fake;
}
