// Mounts a view with a Backend and a Locale in context, as <App> would provide them.
import { render, type SvelteComponentOptions } from '@testing-library/svelte';
import type { Component, ComponentProps } from 'svelte';
import { backendContext } from '../src/ipc/context';
import type { Backend, Language } from '../src/ipc/backend';
import { Locale, localeContext } from '../src/i18n/locale.svelte';

export function renderWith<Props extends Record<string, unknown>>(
  component: Component<Props>,
  props: ComponentProps<Component<Props>>,
  backend: Backend,
  language: Language = 'en',
  tag = language === 'nb' ? 'nb-NO' : 'en-GB',
) {
  const context = new Map<symbol, unknown>([...backendContext(backend), localeContext(new Locale(language, tag))]);
  const options = { props, context } as SvelteComponentOptions<Component<Props>>;
  return render(component, options);
}

/** 26 Nov 2025, 15:00 local: fixed so sample data and day boundaries are stable. */
export const NOW = new Date(2025, 10, 26, 15, 0, 0).getTime();
