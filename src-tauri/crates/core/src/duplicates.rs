//! One unlock uploaded twice (G11): a lock that lost the server's acknowledgement uploads
//! the same event log again, under a new id. Both records are kept (they are two event
//! logs), the later one tagged as a duplicate of the first, and the unlock is announced
//! once.
//!
//! Two records are one unlock when they share the door, the person (or access) and the
//! device `timestamp` to the millisecond, and reached Parakey within [`WINDOW`] of each
//! other. A record missing any of the three is never a duplicate: two anonymous unlocks
//! of one door in the same millisecond cannot be told from one uploaded twice, and a lost
//! toast is worse than a second one.
//!
//! Of the records of one unlock, the *original* is the first to reach Parakey (smallest
//! `createdAt`, then smallest id); the others point at it. The store applies the rule
//! with SQL (an index on door and time); [`UnlockKey`], [`same_unlock`] and [`is_before`]
//! say what that SQL must mean, and the poller's simulated store applies them directly.

use crate::event::EventLog;
use crate::policy::person_key;
use crate::time::Millis;

/// How far apart two uploads of one unlock may reach Parakey: a retry after a lost
/// acknowledgement comes within seconds or minutes; ten minutes leaves room for a slow
/// network without pairing two real unlocks (those never share a millisecond anyway).
pub const WINDOW: i64 = 10 * Millis::MINUTE;

/// What identifies one physical unlock.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnlockKey {
    pub door_id: String,
    /// [`person_key`]: `user:<id>`, `access:<id>` or `name:<name>`.
    pub person: String,
    /// The device time, to the millisecond.
    pub timestamp: Millis,
}

impl UnlockKey {
    /// `None` when the record lacks a door id, a person or a device time.
    pub fn of(e: &EventLog) -> Option<UnlockKey> {
        Some(UnlockKey {
            door_id: e.door_id()?.to_string(),
            person: person_key(e)?,
            timestamp: e.timestamp?,
        })
    }
}

/// Two different records of one unlock.
pub fn same_unlock(a: &EventLog, b: &EventLog) -> bool {
    a.id != b.id
        && a.created_at.since(b.created_at).abs() <= WINDOW
        && UnlockKey::of(a).is_some_and(|k| UnlockKey::of(b).as_ref() == Some(&k))
}

/// `a` reached Parakey before `b` (ties broken by id): of two records of one unlock, the
/// one that comes first is the original.
pub fn is_before(a: &EventLog, b: &EventLog) -> bool {
    (a.created_at, &a.id) < (b.created_at, &b.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Named, Person};

    fn unlock(id: &str, created: i64, timestamp: Option<i64>, user: Option<&str>) -> EventLog {
        EventLog {
            id: id.into(),
            created_at: Millis(created),
            timestamp: timestamp.map(Millis),
            door: Some(Named {
                id: Some("D1".into()),
                name: Some("Front door".into()),
            }),
            user: user.map(|u| Person {
                id: Some(u.into()),
                name: None,
            }),
            domain: None,
            access: None,
            kind: None,
            raw: String::new(),
        }
    }

    #[test]
    fn the_same_door_person_and_device_millisecond_within_the_window_is_one_unlock() {
        let first = unlock("a", 1_000_000, Some(900_000), Some("U1"));
        let again = unlock(
            "b",
            1_000_000 + 3 * Millis::MINUTE,
            Some(900_000),
            Some("U1"),
        );
        assert!(same_unlock(&first, &again) && same_unlock(&again, &first));
        assert!(is_before(&first, &again) && !is_before(&again, &first));
        assert!(
            !same_unlock(&first, &first),
            "a record is not its own duplicate"
        );

        let one_ms_apart = unlock("c", 1_000_100, Some(900_001), Some("U1"));
        let someone_else = unlock("d", 1_000_100, Some(900_000), Some("U2"));
        let too_late = unlock("e", 1_000_001 + WINDOW, Some(900_000), Some("U1"));
        let no_device_time = unlock("f", 1_000_100, None, Some("U1"));
        let nobody = unlock("g", 1_000_100, Some(900_000), None);
        let mut other_door = unlock("h", 1_000_100, Some(900_000), Some("U1"));
        other_door.door = Some(Named {
            id: Some("D2".into()),
            name: None,
        });
        for other in [
            &one_ms_apart,
            &someone_else,
            &too_late,
            &no_device_time,
            &nobody,
            &other_door,
        ] {
            assert!(!same_unlock(&first, other), "{}", other.id);
        }
        assert!(!same_unlock(
            &nobody,
            &unlock("i", 1_000_000, Some(900_000), None)
        ));
    }
}
