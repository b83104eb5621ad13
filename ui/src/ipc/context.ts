// Hands the chosen Backend to every view through Svelte context, so tests can pass a fake.

import { getContext, setContext } from 'svelte';
import type { Backend } from './backend';

const KEY = Symbol('doorpost.backend');

export function provideBackend(backend: Backend): void {
  setContext(KEY, backend);
}

export function useBackend(): Backend {
  const backend = getContext<Backend | undefined>(KEY);
  if (!backend) throw new Error('No Backend in context: mount views inside <App> or pass one in tests.');
  return backend;
}

/** For `mount`/`render`: the context map that provides `backend`. */
export function backendContext(backend: Backend): Map<symbol, Backend> {
  return new Map([[KEY, backend]]);
}
