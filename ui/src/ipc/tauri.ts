// The Backend over Tauri IPC: one `invoke` per command. Each method, its command name and
// the names its arguments cross with come from `generated/commands.ts` (`COMMANDS`),
// written from the Rust declaration, so this file lists no command by hand. The only file
// that talks to Tauri; rejections are normalised to `AppError`.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import {
  CHANGED_EVENT,
  OPEN_EVENT,
  OPEN_SETTINGS_EVENT,
  toAppError,
  type Backend,
  type ChangedEvent,
  type CommandMethods,
  type OpenEvent,
  type Unlisten,
} from './backend';
import { COMMANDS } from './generated/commands';

async function call(command: string, args: Record<string, unknown>): Promise<unknown> {
  try {
    return await invoke(command, args);
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

/**
 * Every command as a method: its positional arguments become the named object Tauri maps to
 * the Rust parameters. The generated table and `CommandMethods` come from one declaration,
 * so the cast below cannot hide a drift; the seam test calls each method through mockIPC.
 */
function commandMethods(): CommandMethods {
  const methods: Record<string, (...values: unknown[]) => Promise<unknown>> = {};
  for (const [method, { command, args }] of Object.entries(COMMANDS)) {
    methods[method] = (...values) => call(command, Object.fromEntries(args.map((name, i) => [name, values[i]])));
  }
  return methods as unknown as CommandMethods;
}

export function tauriBackend(): Backend {
  return {
    ...commandMethods(),
    onChanged(handler: (event: ChangedEvent) => void): Promise<Unlisten> {
      return subscribe(CHANGED_EVENT, handler);
    },
    onOpenEvent(handler: (event: OpenEvent) => void): Promise<Unlisten> {
      return subscribe(OPEN_EVENT, handler);
    },
    onOpenSettings(handler: () => void): Promise<Unlisten> {
      return subscribe(OPEN_SETTINGS_EVENT, () => handler());
    },
  };
}
