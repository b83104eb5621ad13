// One piece of backend data the window shows, fetched for its inputs (the key) and again
// when the shell says it changed: `current`, `loading`, `error`, `load(key)`, `refetch()`.
// It drops stale answers itself, so no view keeps generation counters:
//
// - an answer for inputs that have changed since it was asked for is dropped;
// - for the same inputs, an answer is shown if it is newer than the one on screen, even when
//   more requests went out since (change events can keep coming faster than answers, and
//   waiting for the latest would then show none); an older one is dropped.
//
// `extend` adds to what is shown (the next page) and is dropped if anything was asked since.

import { untrack } from 'svelte';
import { toAppError, type AppError } from '../ipc/backend';

export interface ResourceOptions<K, T, A> {
  /** Asks the backend. `previous` is what is shown when refetching, `undefined` for new inputs. */
  fetch: (key: K, previous: T | undefined) => Promise<A>;
  /** Turns an answer into what is shown, given what is shown when it arrives. Default: the answer. */
  apply?: (answer: A, current: T | undefined, key: K) => T;
}

export class Resource<K, T, A = T> {
  /** The latest answer shown; `undefined` until the first arrives. */
  current: T | undefined = $state.raw(undefined);
  /** Nothing has been shown for the current inputs yet. */
  loading = $state(true);
  /** The last request for the current inputs failed (cleared by the next answer). */
  error: AppError | null = $state.raw(null);

  #options: ResourceOptions<K, T, A>;
  #key: K | undefined;
  #hasKey = false;
  /** Bumped when the inputs change: answers from before are for other inputs. */
  #epoch = 0;
  #requested = 0;
  #shown = 0;

  constructor(options: ResourceOptions<K, T, A>) {
    this.#options = options;
  }

  /** Fetches for new inputs; what is shown stays until their answer replaces it. */
  load(key: K): Promise<void> {
    this.#epoch++;
    this.#key = key;
    this.#hasKey = true;
    this.loading = true;
    this.error = null;
    return this.#request(undefined);
  }

  /** Fetches again for the same inputs (the shell said they changed). */
  refetch(): Promise<void> {
    if (!this.#hasKey) return Promise.resolve();
    return this.#request(this.current);
  }

  /**
   * Asks for more of the same (the next page) and adds it with `apply`; dropped, as stale, if
   * the inputs changed or another request went out meanwhile.
   */
  async extend<B>(fetch: (key: K) => Promise<B>, apply: (answer: B, current: T | undefined) => T): Promise<void> {
    if (!this.#hasKey) return;
    const epoch = this.#epoch;
    const requested = this.#requested;
    const key = this.#key as K;
    try {
      const answer = await fetch(key);
      if (epoch !== this.#epoch || requested !== this.#requested) return;
      this.current = apply(answer, untrack(() => this.current));
    } catch (e) {
      if (epoch === this.#epoch && requested === this.#requested) this.error = toAppError(e);
    }
  }

  async #request(previous: T | undefined): Promise<void> {
    const gen = ++this.#requested;
    const epoch = this.#epoch;
    const key = this.#key as K;
    try {
      const answer = await this.#options.fetch(key, previous);
      if (epoch !== this.#epoch || gen <= this.#shown) return;
      this.#shown = gen;
      const current = untrack(() => this.current);
      this.current = this.#options.apply ? this.#options.apply(answer, current, key) : (answer as unknown as T);
      this.error = null;
      this.loading = false;
    } catch (e) {
      if (epoch !== this.#epoch || gen <= this.#shown) return;
      this.error = toAppError(e);
      this.loading = false;
    }
  }
}

/**
 * A resource whose inputs are `key()`: loaded now and whenever they change (call it while a
 * component initialises; its effect ends with the component).
 */
export function resource<K, T, A = T>(key: () => K, options: ResourceOptions<K, T, A>): Resource<K, T, A> {
  const r = new Resource(options);
  $effect(() => {
    const k = key();
    untrack(() => void r.load(k));
  });
  return r;
}
