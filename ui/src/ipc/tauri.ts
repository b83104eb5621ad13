// The Backend over Tauri IPC: one `invoke` per command. Command names are the shell's Rust
// function names (snake_case, as listed in src-tauri/build.rs); arguments are camelCase
// objects, which Tauri maps to the Rust parameter names. The only file that talks to
// Tauri; rejections are normalised to `AppError`.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import {
  CHANGED_EVENT,
  OPEN_EVENT,
  OPEN_SETTINGS_EVENT,
  toAppError,
  type Backend,
  type ChangedEvent,
  type DayCount,
  type DoorView,
  type HistoryPageView,
  type HistoryQueryView,
  type MuteRequest,
  type NewPlace,
  type OpenEvent,
  type Overview,
  type PauseRequest,
  type PlacePatch,
  type PlaceView,
  type Settings,
  type SettingsPatch,
  type TokenCheck,
  type Unlisten,
} from './backend';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toAppError(e);
  }
}

async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
  const stop = await listen<T>(event, (e) => handler(e.payload));
  let stopped = false;
  return () => {
    if (!stopped) {
      stopped = true;
      stop();
    }
  };
}

export class TauriBackend implements Backend {
  overview(): Promise<Overview> {
    return call('overview');
  }
  history(query: HistoryQueryView): Promise<HistoryPageView> {
    return call('history', { query });
  }
  doors(): Promise<DoorView[]> {
    return call('doors');
  }
  dailyCounts(from: number, to: number): Promise<DayCount[]> {
    return call('daily_counts', { from, to });
  }
  exportCsv(query: HistoryQueryView): Promise<string> {
    return call('export_csv', { query });
  }
  saveSettings(patch: SettingsPatch): Promise<Settings> {
    return call('save_settings', { patch });
  }
  setToken(token: string): Promise<TokenCheck> {
    return call('set_token', { token });
  }
  clearToken(): Promise<void> {
    return call('clear_token');
  }
  startDemo(): Promise<void> {
    return call('start_demo');
  }
  leaveDemo(): Promise<void> {
    return call('leave_demo');
  }
  addPlace(place: NewPlace): Promise<PlaceView> {
    return call('add_place', { place });
  }
  updatePlace(id: string, patch: PlacePatch): Promise<PlaceView> {
    return call('update_place', { id, patch });
  }
  setPlaceToken(id: string, token: string): Promise<TokenCheck> {
    return call('set_place_token', { id, token });
  }
  removePlace(id: string, deleteHistory: boolean): Promise<void> {
    return call('remove_place', { id, deleteHistory });
  }
  muteDoor(doorId: string, request: MuteRequest): Promise<DoorView> {
    return call('mute_door', { doorId, request });
  }
  testNotification(): Promise<void> {
    return call('test_notification');
  }
  refreshNow(): Promise<void> {
    return call('refresh_now');
  }
  pause(request: PauseRequest): Promise<void> {
    return call('pause', { request });
  }
  resume(): Promise<void> {
    return call('resume');
  }
  onChanged(handler: (event: ChangedEvent) => void): Promise<Unlisten> {
    return subscribe(CHANGED_EVENT, handler);
  }
  onOpenEvent(handler: (event: OpenEvent) => void): Promise<Unlisten> {
    return subscribe(OPEN_EVENT, handler);
  }
  onOpenSettings(handler: () => void): Promise<Unlisten> {
    return subscribe(OPEN_SETTINGS_EVENT, () => handler());
  }
}
