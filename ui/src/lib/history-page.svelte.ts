// The history list as one resource: the first page for a filter, the loaded head refetched
// when the shell says the history changed (older loaded rows beyond it are kept), and
// "Load more" by keyset (the last row's cursor). Stale answers are dropped by `Resource`.

import {
  MAX_PAGE,
  type Backend,
  type CursorView,
  type HistoryPageView,
  type HistoryQueryView,
  type HistoryRowView,
} from '../ipc/backend';
import { Resource } from './resource.svelte';

/** Rows per page. */
export const PAGE = 100;

export interface Loaded {
  rows: HistoryRowView[];
  next: CursorView | null;
  total: number;
}

/** Whether `row` sorts after (is older than) `last` in the shell's `(unlockedAt, id)` order. */
export function olderThan(row: HistoryRowView, last: HistoryRowView): boolean {
  return row.unlockedAt < last.unlockedAt || (row.unlockedAt === last.unlockedAt && row.id < last.id);
}

/** A refetched head over what is loaded: the head's rows, then loaded rows older than it. */
export function mergeHead(page: HistoryPageView, loaded: Loaded | undefined): Loaded {
  const last = page.rows[page.rows.length - 1];
  const fresh = new Set(page.rows.map((r) => r.id));
  const kept =
    loaded && page.next && last ? loaded.rows.filter((r) => !fresh.has(r.id) && olderThan(r, last)) : [];
  return {
    rows: [...page.rows, ...kept],
    next: kept.length > 0 && loaded ? loaded.next : page.next,
    total: page.total,
  };
}

/** The next page after what is loaded. */
export function appendPage(page: HistoryPageView, loaded: Loaded | undefined): Loaded {
  const rows = loaded?.rows ?? [];
  const have = new Set(rows.map((r) => r.id));
  return { rows: [...rows, ...page.rows.filter((r) => !have.has(r.id))], next: page.next, total: page.total };
}

/** A page, and whether it is a refetched head to merge into what is loaded. */
interface Answer {
  page: HistoryPageView;
  head: boolean;
}

export class HistoryPages {
  readonly list: Resource<HistoryQueryView, Loaded, Answer>;
  loadingMore = $state(false);
  readonly #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
    this.list = new Resource<HistoryQueryView, Loaded, Answer>({
      // New filters: the first page. A change: the loaded head again, up to MAX_PAGE rows.
      fetch: async (q, previous) => {
        const limit = previous ? Math.min(MAX_PAGE, Math.max(PAGE, previous.rows.length)) : PAGE;
        return { page: await backend.history({ ...q, limit }), head: previous !== undefined };
      },
      apply: ({ page, head }, current) => (head ? mergeHead(page, current) : appendPage(page, undefined)),
    });
  }

  get rows(): HistoryRowView[] {
    return this.list.current?.rows ?? [];
  }
  get next(): CursorView | null {
    return this.list.current?.next ?? null;
  }
  get total(): number {
    return this.list.current?.total ?? 0;
  }
  get loading(): boolean {
    return this.list.loading;
  }
  get error(): string | null {
    return this.list.error?.message ?? null;
  }

  load(q: HistoryQueryView): Promise<void> {
    return this.list.load(q);
  }

  refetch(): Promise<void> {
    return this.list.refetch();
  }

  async loadMore(): Promise<void> {
    const before = this.next;
    if (!before || this.loadingMore) return;
    this.loadingMore = true;
    try {
      await this.list.extend((q) => this.#backend.history({ ...q, before, limit: PAGE }), appendPage);
    } finally {
      this.loadingMore = false;
    }
  }
}
