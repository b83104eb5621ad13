//! Shared pieces of the end-to-end tests (the tests themselves are in `tests/tests/`).
//!
//! Everything here is real: the fake Parakey on loopback, SQLite files in temporary
//! directories, the `doorpost-sync` binary. Assertions read the database directly with
//! SQL so that they do not trust the code under test.

use std::collections::HashMap;
use std::path::Path;

use doorpost_core::time::Millis;
use doorpost_sim::{EventSpec, UserSpec};

pub mod desktop;
pub mod sync_process;
pub mod webdriver;

pub const TOKEN: &str = "fake-token";

/// Every stored event log: id → notification state.
pub fn stored(db: &Path) -> HashMap<String, String> {
    let conn = rusqlite::Connection::open(db).expect("the database opens");
    let mut stmt = conn
        .prepare("SELECT id, notify_state FROM event_log")
        .expect("event_log exists");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query runs")
        .collect::<Result<_, _>>()
        .expect("rows read")
}

/// `PRAGMA integrity_check` says "ok".
pub fn integrity_ok(db: &Path) -> bool {
    let conn = rusqlite::Connection::open(db).expect("the database opens");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .map(|s| s == "ok")
        .unwrap_or(false)
}

/// A week of realistic history before `now`: three doors, named and scrubbed users, and
/// a few offline locks that uploaded hours late.
pub fn week_of_history(now: Millis) -> Vec<EventSpec> {
    let doors = [
        ("Dv0000001a", "Front door"),
        ("Dv0000002b", "Back gate"),
        ("Dv0000003c", "Gym"),
    ];
    let people = [
        Some(UserSpec::new("U1", "Ann", "Berg", "ann@example.com")),
        Some(UserSpec::new("U2", "Ola", "Nordmann", "ola@example.com")),
        None,
    ];
    (0..60)
        .map(|i: i64| {
            let created = now
                .minus(7 * Millis::DAY)
                .plus(i * 2 * Millis::HOUR + 17_000);
            let (door_id, door_name) = doors[(i % 3) as usize];
            let late = if i % 11 == 5 { 3 * Millis::HOUR } else { 4_000 };
            EventSpec::at(created)
                .door(door_id, door_name)
                .user(people[(i % 3) as usize].clone())
                .late_by(late)
        })
        .collect()
}

/// Half a year of a quiet place: an unlock every three days or so, the newest a day old.
pub fn months_of_sparse_history(now: Millis) -> Vec<EventSpec> {
    (0..60)
        .map(|i: i64| {
            let created = now
                .minus(Millis::DAY)
                .minus(i * 3 * Millis::DAY)
                .minus((i * 7_919_000) % Millis::HOUR);
            EventSpec::at(created).late_by(5_000)
        })
        .collect()
}
