// The seam against Tauri's own mockIPC: command names (the shell's snake_case functions),
// argument shapes (camelCase objects), errors normalised to AppError, and the two events.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TauriBackend } from '../src/ipc/tauri';
import type { AppError, HistoryQueryView } from '../src/ipc/backend';

afterEach(() => clearMocks());

describe('TauriBackend', () => {
  it('invokes each command by name with camelCase arguments', async () => {
    const seen: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args ?? {}]);
      if (cmd === 'export_csv') return '/tmp/x.csv';
      if (cmd === 'doors' || cmd === 'daily_counts') return [];
      if (cmd === 'add_place' || cmd === 'update_place') return { id: 'place-2', name: 'Old Town Studio' };
      if (cmd === 'mute_door') return { id: 'door-front', mutedUntil: 1 };
      return null;
    });
    const b = new TauriBackend();
    const query: HistoryQueryView = {
      text: 'amira',
      doorIds: ['door-front'],
      from: 1,
      to: 2,
      before: { unlockedAt: 3, id: 'evt-1' },
      limit: 100,
    };

    await b.overview();
    await b.history(query);
    await b.doors();
    await b.dailyCounts(10, 20);
    await expect(b.exportCsv({ doorIds: [] })).resolves.toBe('/tmp/x.csv');
    await b.saveSettings({ pollIntervalMins: 7, allowedOffset: { mode: 'unbounded' } });
    await b.setToken('pk_live_123');
    await b.clearToken();
    await b.startDemo();
    await b.refreshNow();
    await b.pause('untilTomorrow');
    await b.resume();
    await b.leaveDemo();
    await expect(b.addPlace({ name: 'Old Town Studio', token: 'pk_live_456', apiUrl: null })).resolves.toMatchObject({
      id: 'place-2',
    });
    await b.updatePlace('place-2', { name: 'Studio', notifyMode: null });
    await b.setPlaceToken('place-2', 'pk_live_789');
    await b.removePlace('place-2', true);
    await expect(b.muteDoor('door-front', 'oneHour')).resolves.toMatchObject({ mutedUntil: 1 });
    await b.testNotification();

    expect(seen).toEqual([
      ['overview', {}],
      ['history', { query }],
      ['doors', {}],
      ['daily_counts', { from: 10, to: 20 }],
      ['export_csv', { query: { doorIds: [] } }],
      ['save_settings', { patch: { pollIntervalMins: 7, allowedOffset: { mode: 'unbounded' } } }],
      ['set_token', { token: 'pk_live_123' }],
      ['clear_token', {}],
      ['start_demo', {}],
      ['refresh_now', {}],
      ['pause', { request: 'untilTomorrow' }],
      ['resume', {}],
      ['leave_demo', {}],
      ['add_place', { place: { name: 'Old Town Studio', token: 'pk_live_456', apiUrl: null } }],
      ['update_place', { id: 'place-2', patch: { name: 'Studio', notifyMode: null } }],
      ['set_place_token', { id: 'place-2', token: 'pk_live_789' }],
      ['remove_place', { id: 'place-2', deleteHistory: true }],
      ['mute_door', { doorId: 'door-front', request: 'oneHour' }],
      ['test_notification', {}],
    ]);
  });

  it('rejects with the AppError the shell sent', async () => {
    const error: AppError = { code: 'RateLimited', message: 'Checked 10 s ago; try again in 20 s.', fields: [] };
    mockIPC(() => {
      throw error;
    });
    await expect(new TauriBackend().refreshNow()).rejects.toEqual(error);
  });

  it('turns anything else into an Internal AppError', async () => {
    mockIPC(() => {
      throw 'command save_settings not allowed';
    });
    await expect(new TauriBackend().saveSettings({})).rejects.toEqual({
      code: 'Internal',
      message: 'command save_settings not allowed',
      fields: [],
    });
  });

  it('listens to doorpost://changed and doorpost://open-event, and stops', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const b = new TauriBackend();
    const changed = vi.fn();
    const opened = vi.fn();
    const stopChanged = await b.onChanged(changed);
    const stopOpened = await b.onOpenEvent(opened);

    await emit('doorpost://changed', { inserted: 2 });
    await emit('doorpost://open-event', { id: 'evt-9' });
    expect(changed).toHaveBeenCalledWith({ inserted: 2 });
    expect(opened).toHaveBeenCalledWith({ id: 'evt-9' });

    stopChanged();
    stopChanged();
    stopOpened();
    await emit('doorpost://changed', { inserted: 1 });
    expect(changed).toHaveBeenCalledTimes(1);
  });
});
