//! What the window must refetch after a change: the flags of a
//! [`crate::ipc::ChangedEvent`], decided where the change happens.
//!
//! Two kinds of change reach the window. A sync's commit ([`after_commit`]) changes the
//! history when it stored, rewrote or decided a row, and the doors when a door or a door's
//! name is new ([`DoorNames`]) or an unlock was kept quiet (a muted door counts what it
//! kept). An engine's status ([`status_change`]) changes at every check, but mostly only in
//! its phase (idle, checking) and its check times, which the event carries itself; anything
//! else (an error, a lesson about the server, quiet hours starting) needs the overview.
//!
//! Pure functions: no I/O, no clock. The engine feeds them what it committed and the
//! statuses it published.

use std::collections::HashMap;

use crate::ipc::ChangedEvent;
use crate::poller::{Phase, Status};
use crate::time::Millis;

/// What one commit of a sync wrote, as far as the window is concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    /// Rows new to the store.
    pub inserted: usize,
    /// Rows already stored whose content changed (a scrub, a rename).
    pub updated: usize,
    /// Pending rows the decision settled (to be announced, or suppressed): their
    /// notification state shows in the history.
    pub settled: usize,
    /// Of those, the ones suppressed: a muted door counts them.
    pub suppressed: usize,
    /// A door not seen before, or a door under a new name ([`DoorNames::note`]).
    pub doors_renamed: bool,
}

/// The event for one commit. A commit that wrote nothing the window shows (an idle check's
/// last page, a quiet-hours re-decision that held every row again) sets no flag.
pub fn after_commit(stored: &Stored) -> ChangedEvent {
    ChangedEvent {
        inserted: u32::try_from(stored.inserted).unwrap_or(u32::MAX),
        history: stored.inserted > 0 || stored.updated > 0 || stored.settled > 0,
        doors: stored.doors_renamed || stored.suppressed > 0,
        overview: false,
        stays: false,
        checks: None,
    }
}

/// What an engine's new status changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusChange {
    /// Nothing the window shows.
    Nothing,
    /// Only the phase between idle and checking, and the check times: the event carries
    /// them ([`crate::ipc::ChecksView`]).
    Checks,
    /// Something else: the window refetches the overview.
    Overview,
}

/// An engine's status as published: the poller's, the wall-clock time of the last finished
/// check, and whether quiet hours hold (the overview says until when).
#[derive(Debug, Clone, Copy)]
pub struct Published<'a> {
    pub poller: &'a Status,
    pub last_success: Option<Millis>,
    pub quiet: bool,
}

fn resting(phase: &Phase) -> bool {
    matches!(phase, Phase::Idle | Phase::Checking)
}

/// Compares two statuses of one engine. `next_check` is compared on the driver's clock (a
/// wall-clock conversion of the same instant moves by a millisecond now and then, which is
/// not a change).
pub fn status_change(old: &Published<'_>, new: &Published<'_>) -> StatusChange {
    let (o, n) = (old.poller, new.poller);
    let phases_rest = resting(&o.phase) && resting(&n.phase);
    let same_but_checks = Status {
        phase: n.phase.clone(),
        next_check: n.next_check,
        ..o.clone()
    } == *n;
    if old.quiet != new.quiet || !phases_rest || !same_but_checks {
        return StatusChange::Overview;
    }
    if o.phase != n.phase || o.next_check != n.next_check || old.last_success != new.last_success {
        return StatusChange::Checks;
    }
    StatusChange::Nothing
}

/// The doors a running engine has stored, by id, with the latest name seen: tells a commit
/// that brings a door or a name the window's door lists do not have yet. It starts empty,
/// so an engine's first commit with doors says they changed.
#[derive(Debug, Default, Clone)]
pub struct DoorNames {
    names: HashMap<String, Option<String>>,
}

impl DoorNames {
    /// Notes the doors of a commit's events, `(door id, door name)`; whether any is new or
    /// now has another name. An event without a name keeps the door's name (as the store
    /// does).
    pub fn note<'a>(
        &mut self,
        doors: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> bool {
        let mut changed = false;
        for (id, name) in doors {
            match self.names.get_mut(id) {
                None => {
                    self.names.insert(id.to_owned(), name.map(str::to_owned));
                    changed = true;
                }
                Some(known) => {
                    if let Some(name) = name
                        && known.as_deref() != Some(name)
                    {
                        *known = Some(name.to_owned());
                        changed = true;
                    }
                }
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poller::SyncFailure;
    use crate::time::Mono;

    fn idle() -> Status {
        Status {
            phase: Phase::Idle,
            next_check: Some(Mono(60_000)),
            last_error: None,
            auth: None,
            learned: Default::default(),
            skip: Default::default(),
            start_filter: Default::default(),
            incomplete: None,
            catching_up: false,
            blind_since: None,
        }
    }

    fn published(s: &Status, last: Option<i64>, quiet: bool) -> Published<'_> {
        Published {
            poller: s,
            last_success: last.map(Millis),
            quiet,
        }
    }

    #[test]
    fn a_commit_that_stored_nothing_changes_nothing() {
        assert!(after_commit(&Stored::default()).is_nothing());
    }

    #[test]
    fn a_new_unlock_changes_the_history_but_not_the_doors() {
        let e = after_commit(&Stored {
            inserted: 1,
            settled: 1,
            ..Stored::default()
        });
        assert_eq!(e.inserted, 1);
        assert!(e.history && !e.doors && !e.overview && e.checks.is_none());
    }

    #[test]
    fn a_rewrite_or_a_decision_changes_the_history() {
        for stored in [
            Stored {
                updated: 2,
                ..Stored::default()
            },
            Stored {
                settled: 1,
                ..Stored::default()
            },
        ] {
            let e = after_commit(&stored);
            assert!(e.history && !e.doors, "{stored:?}");
            assert_eq!(e.inserted, 0);
        }
    }

    #[test]
    fn a_new_door_or_a_kept_unlock_changes_the_doors() {
        let new_door = after_commit(&Stored {
            inserted: 1,
            doors_renamed: true,
            ..Stored::default()
        });
        assert!(new_door.doors && new_door.history);
        let muted = after_commit(&Stored {
            inserted: 1,
            settled: 1,
            suppressed: 1,
            ..Stored::default()
        });
        assert!(muted.doors);
    }

    #[test]
    fn an_idle_check_moves_only_the_check_times() {
        let before = idle();
        let checking = Status {
            phase: Phase::Checking,
            ..idle()
        };
        let after = Status {
            next_check: Some(Mono(120_000)),
            ..idle()
        };
        let p = |s| published(s, Some(1_000), false);
        assert_eq!(
            status_change(&p(&before), &p(&checking)),
            StatusChange::Checks
        );
        assert_eq!(
            status_change(&p(&checking), &p(&after)),
            StatusChange::Checks
        );
        assert_eq!(
            status_change(&p(&after), &published(&after, Some(61_000), false)),
            StatusChange::Checks,
            "a finished check moves the last check"
        );
        assert_eq!(
            status_change(&p(&after), &p(&after.clone())),
            StatusChange::Nothing
        );
    }

    #[test]
    fn anything_beyond_the_check_times_needs_the_overview() {
        let before = idle();
        let p = |s| published(s, None, false);
        let degraded = Status {
            phase: Phase::Degraded {
                retry_at: Mono(5_000),
                failures: 1,
            },
            last_error: Some(SyncFailure::Unavailable(503)),
            ..idle()
        };
        assert_eq!(
            status_change(&p(&before), &p(&degraded)),
            StatusChange::Overview
        );
        assert_eq!(
            status_change(&p(&degraded), &p(&before)),
            StatusChange::Overview
        );
        let catching_up = Status {
            catching_up: true,
            ..idle()
        };
        assert_eq!(
            status_change(&p(&before), &p(&catching_up)),
            StatusChange::Overview
        );
        assert_eq!(
            status_change(&p(&before), &published(&before, None, true)),
            StatusChange::Overview,
            "quiet hours began"
        );
    }

    #[test]
    fn door_names_tell_a_new_door_and_a_new_name_once() {
        let mut doors = DoorNames::default();
        assert!(doors.note([("d1", Some("Front"))]));
        assert!(!doors.note([("d1", Some("Front")), ("d1", None)]));
        assert!(doors.note([("d1", Some("Front door"))]));
        assert!(!doors.note([("d1", Some("Front door"))]));
        assert!(doors.note([("d2", None)]));
        assert!(!doors.note(std::iter::empty()));
    }
}
