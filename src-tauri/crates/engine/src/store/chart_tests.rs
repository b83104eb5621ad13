//! The chart's daily counts of a filtered history, in a real SQLite file: one statement
//! per chart must count, day by day, exactly what the history's own count says of the same
//! filter on that day.

use doorpost_core::event::{EventLog, parse_record};
use doorpost_core::policy::NotifyDecision;
use doorpost_core::rng::Rng;
use doorpost_core::time::Millis;
use serde_json::json;
use tempfile::TempDir;

use super::*;

const DAY: i64 = Millis::DAY;
const DOORS: [(&str, &str); 3] = [("d1", "Front"), ("d2", "Back gate"), ("d3", "Båthus")];
const USERS: [&str; 4] = ["Ann", "Åse Berg", "Bob", "Front Desk"];
const PLACES: [&str; 2] = ["loft", "cabin"];

fn unlock(id: &str, at: i64, door: (&str, &str), user: Option<&str>) -> EventLog {
    let mut v = json!({ "id": id, "createdAt": at, "type": "unlock",
        "device": { "id": door.0, "name": door.1 } });
    if let Some(name) = user {
        v["user"] = json!({ "id": format!("u-{name}"), "name": name });
    }
    parse_record(&v).unwrap()
}

/// Twenty days of unlocks at two places, three doors (one renamed halfway) and four people.
fn history() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let mut store = Store::open(&dir.path().join("history.sqlite")).unwrap();
    let mut rng = Rng::seeded(17);
    for (p, place) in PLACES.iter().enumerate() {
        let events: Vec<EventLog> = (0..400)
            .map(|i| {
                let at = rng.range(0, 20 * DAY - 1);
                let (id, name) = DOORS[rng.range(0, 2) as usize];
                // The front door was called "Main" before day 10.
                let name = if id == "d1" && at < 10 * DAY {
                    "Main"
                } else {
                    name
                };
                let user = USERS.get(rng.range(0, 4) as usize).copied();
                unlock(&format!("{place}-{i}"), at, (id, name), user)
            })
            .collect();
        let c = Commit {
            source: "acct",
            place_id: Some(place),
            day: DayRule::default(),
            events: &events,
            quarantined: &[],
            state_json: "{}",
            news_floor: None,
            log: None,
            earlier_new: 0,
            seen_at: Millis(p as i64),
        };
        store
            .commit(&c, |pending| vec![NotifyDecision::Pending; pending.len()])
            .unwrap();
    }
    (dir, store)
}

/// What the chart must show: the history's count of `q` on each day, days without any left
/// out.
fn counted_day_by_day(store: &Store, q: &HistoryQuery, offset_secs: i32) -> Vec<(String, u64)> {
    let offset = i64::from(offset_secs) * 1_000;
    let first = q.from.unwrap().0;
    let last = q.to.unwrap().0;
    let mut out = Vec::new();
    let mut day = (first + offset).div_euclid(DAY) * DAY - offset;
    while day < last {
        let one = HistoryQuery {
            from: Some(Millis(day.max(first))),
            to: Some(Millis((day + DAY).min(last))),
            ..q.clone()
        };
        let n = store.count(&one).unwrap();
        if n > 0 {
            let label = chrono::DateTime::from_timestamp((day + offset) / 1_000, 0)
                .unwrap()
                .format("%Y-%m-%d")
                .to_string();
            out.push((label, n));
        }
        day += DAY;
    }
    out
}

#[test]
fn daily_counts_of_a_filter_match_the_history_count_of_each_day() {
    let (_dir, store) = history();
    let text = |t: &str| Some(t.to_string());
    let filters = [
        HistoryQuery::default(),
        HistoryQuery {
            door_ids: vec!["d1".into()],
            ..Default::default()
        },
        HistoryQuery {
            door_ids: vec!["d1".into(), "d3".into()],
            place_ids: vec!["cabin".into()],
            ..Default::default()
        },
        // A door's old name, a user's name, a name in both (case and å folded), and none.
        HistoryQuery {
            text: text("main"),
            ..Default::default()
        },
        HistoryQuery {
            text: text("ÅSE"),
            ..Default::default()
        },
        HistoryQuery {
            text: text("front"),
            place_ids: vec!["loft".into()],
            ..Default::default()
        },
        HistoryQuery {
            text: text("nobody by that name"),
            ..Default::default()
        },
    ];
    for offset in [0, 3_600, -5 * 3_600] {
        for f in &filters {
            let q = HistoryQuery {
                from: Some(Millis(3 * DAY + 7 * Millis::HOUR)),
                to: Some(Millis(17 * DAY)),
                ..f.clone()
            };
            let chart = store.daily_counts_matching(&q, offset).unwrap();
            assert_eq!(
                chart,
                counted_day_by_day(&store, &q, offset),
                "filter {f:?} at offset {offset}"
            );
            let sum: u64 = chart.iter().map(|(_, n)| n).sum();
            assert_eq!(sum, store.count(&q).unwrap(), "filter {f:?}");
        }
    }
}

#[test]
fn unfiltered_daily_counts_are_the_plain_ones() {
    let (_dir, store) = history();
    let q = HistoryQuery {
        from: Some(Millis(DAY)),
        to: Some(Millis(15 * DAY)),
        ..Default::default()
    };
    assert_eq!(
        store.daily_counts_matching(&q, 3_600).unwrap(),
        store
            .daily_counts(Millis(DAY), Millis(15 * DAY), 3_600)
            .unwrap()
    );
    // Without bounds: every day of the history, which holds 800 unlocks.
    let all = store
        .daily_counts_matching(&HistoryQuery::default(), 0)
        .unwrap();
    assert_eq!(all.len(), 20);
    assert_eq!(all.iter().map(|(_, n)| n).sum::<u64>(), 800);
}
