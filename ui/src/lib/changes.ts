// What a `doorpost://changed` event asks of the window, decided by the shell (the Rust
// core's `changes` module): which parts to refetch, and the check times to write in place.

import type { ChangedEvent, CheckView, ChecksView, Overview, StatusView } from '../ipc/backend';

function withCheck(status: StatusView, check: CheckView): StatusView {
  return { ...status, phase: check.phase, lastCheck: check.lastCheck, nextCheck: check.nextCheck };
}

/** The overview with the check times and phases a check moved; nothing else changes. */
export function withChecks(overview: Overview, checks: ChecksView): Overview {
  const byId = new Map(checks.places.map((p) => [p.id, p.check]));
  return {
    ...overview,
    status: withCheck(overview.status, checks.all),
    places: overview.places.map((p) => {
      const check = byId.get(p.id);
      return check ? { ...p, status: withCheck(p.status, check) } : p;
    }),
  };
}

/** Whether the event changes what the Status tab counts (checks made, unlocks held). */
export function movesTotals(e: ChangedEvent): boolean {
  return e.history || e.checks !== null;
}
