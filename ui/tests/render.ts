// Mounts a view with a Backend in context, as <App> would provide it.
import { render, type SvelteComponentOptions } from '@testing-library/svelte';
import type { Component, ComponentProps } from 'svelte';
import { backendContext } from '../src/ipc/context';
import type { Backend } from '../src/ipc/backend';

export function renderWith<Props extends Record<string, unknown>>(
  component: Component<Props>,
  props: ComponentProps<Component<Props>>,
  backend: Backend,
) {
  const options = { props, context: backendContext(backend) } as SvelteComponentOptions<Component<Props>>;
  return render(component, options);
}

/** 26 Nov 2025, 15:00 local: fixed so sample data and day boundaries are stable. */
export const NOW = new Date(2025, 10, 26, 15, 0, 0).getTime();
