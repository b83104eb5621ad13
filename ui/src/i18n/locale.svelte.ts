// The language and locale in effect, handed to every view through Svelte context. The
// window sets them from each overview (`Overview.language`, `Overview.locale`); `t` and
// `fmt` follow at once, so a language chosen in Settings re-renders the whole window.

import { getContext, setContext } from 'svelte';
import type { Language } from '../ipc/backend';
import { createFormat, numbers, usableLocale, type Format, type Numbers } from '../lib/format';
import { en, type Messages } from './en';
import { nb } from './nb';

export const CATALOGUES: Record<Language, (n: Numbers) => Messages> = { en, nb };

/** Each language in its own words, for the language picker. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', nb: 'Norsk bokmål' };

/** The locale Intl falls back to when the shell's tag is unusable. */
const FALLBACK: Record<Language, string> = { en: 'en-GB', nb: 'nb-NO' };

export interface Bundle {
  language: Language;
  t: Messages;
  fmt: Format;
}

export function bundle(language: Language, locale: string): Bundle {
  const tag = usableLocale(locale, FALLBACK[language]);
  const t = CATALOGUES[language](numbers(tag));
  return { language, t, fmt: createFormat(tag, t.time) };
}

/** Before the first overview: the browser's language, if it is one of ours. */
export function guessLanguage(tags: readonly string[]): Language {
  const first = tags[0]?.toLowerCase() ?? '';
  return /^(nb|no|nn)\b/.test(first) ? 'nb' : 'en';
}

export class Locale {
  language: Language = $state('en');
  tag: string = $state('en-GB');
  #bundle = $derived(bundle(this.language, this.tag));

  constructor(language: Language = 'en', tag = FALLBACK[language]) {
    this.language = language;
    this.tag = tag;
  }

  get t(): Messages {
    return this.#bundle.t;
  }

  get fmt(): Format {
    return this.#bundle.fmt;
  }

  set(language: Language, tag: string): void {
    this.language = language;
    this.tag = tag;
  }
}

const KEY = Symbol('doorpost.locale');

export function provideLocale(locale: Locale): void {
  setContext(KEY, locale);
}

export function useLocale(): Locale {
  const locale = getContext<Locale | undefined>(KEY);
  if (!locale) throw new Error('No Locale in context: mount views inside <App> or pass one in tests.');
  return locale;
}

/** For `mount`/`render`: the context entry that provides `locale`. */
export function localeContext(locale: Locale): [symbol, Locale] {
  return [KEY, locale];
}
