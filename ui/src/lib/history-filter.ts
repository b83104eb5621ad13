// The history's filters as the shell takes them: plain values (what HistoryFilters binds)
// to a HistoryQueryView, and the "When" menu to days. No state, no words.

import type { HistoryQueryView } from '../ipc/backend';
import type { When } from '../components/HistoryFilters.svelte';
import { addDays, localMidnight, nextLocalMidnight } from './time';

export interface FilterValues {
  /** The search text as applied (after the typing pause). */
  text: string;
  placeId: string;
  doorId: string;
  /** A stay's id as the stay menu holds it; '' for every stay. */
  stayId?: string;
}

/** The days `when` stands for, inclusive; '' for an open end. */
export function whenRange(when: When, today: string, fromDay: string, toDay: string): { from: string; to: string } {
  switch (when) {
    case 'any':
      return { from: '', to: '' };
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: addDays(today, -1), to: addDays(today, -1) };
    case 'week':
      return { from: addDays(today, -6), to: today };
    case 'custom':
      return { from: fromDay, to: toDay };
  }
}

/** Everything but the dates: what the chart follows. */
export function baseQuery(v: FilterValues): HistoryQueryView {
  const q: HistoryQueryView = { doorIds: v.doorId ? [v.doorId] : [] };
  if (v.placeId) q.placeIds = [v.placeId];
  const t = v.text.trim();
  if (t) q.text = t;
  const stay = v.stayId ? Number(v.stayId) : Number.NaN;
  if (Number.isInteger(stay)) q.stayId = stay;
  return q;
}

/** `base` limited to the local days `range` (open ends left out). */
export function withRange(base: HistoryQueryView, range: { from: string; to: string }): HistoryQueryView {
  const q: HistoryQueryView = { ...base };
  const from = range.from ? localMidnight(range.from) : Number.NaN;
  if (!Number.isNaN(from)) q.from = from;
  const to = range.to ? nextLocalMidnight(range.to) : Number.NaN;
  if (!Number.isNaN(to)) q.to = to;
  return q;
}

/** Whether `q` narrows the history at all. */
export function isFiltered(q: HistoryQueryView): boolean {
  return (
    q.doorIds.length > 0 ||
    q.placeIds !== undefined ||
    q.text !== undefined ||
    q.from !== undefined ||
    q.to !== undefined ||
    q.stayId !== undefined
  );
}
