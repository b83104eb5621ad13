//! History queries: pages of events newest first, counts, the doors seen, daily counts.
//!
//! A page is the first `limit` rows, by `(unlocked_at, id)` descending, that pass every
//! filter and lie before the cursor. Three plans find it, and all three return the same
//! rows (a test holds them to that):
//!
//! - **scan** walks `event_log_by_time` from the cursor down and filters as it goes: cheap
//!   when the filters match often.
//! - **by door** reads each wanted door's slice of `event_log_by_door`, at most one page
//!   each, and merges them: cheap when the doors are quiet.
//! - **by name** first matches the text against the few distinct door and user names in
//!   `names` (case-insensitively, in Rust, so `å` matches `Å`), then reads the same way
//!   each matching user name's slice of `event_log_by_user_name` and the slice of
//!   `event_log_by_door` of each door that carried a matching name (keeping only the rows
//!   that carry it: a renamed door's older rows keep their old name).
//!
//! The planner estimates the rows each plan visits from the counts in `names` and `doors`
//! (kept exact by every commit) and takes the cheapest. Indexes are named with
//! `INDEXED BY`, so a page's cost never depends on SQLite's guesses.

use std::collections::{HashMap, HashSet};

use rusqlite::types::Value;

use super::{NotifyState, Result, Store};
use doorpost_core::ipc::MarkKind;
use doorpost_core::time::Millis;
use doorpost_stays::StayTime;

/// The most rows one page holds.
pub const MAX_PAGE: u32 = 500;

/// Plans with more slices than this scan instead (SQLite allows 500 terms in a compound
/// select, and merging many slices costs more than it saves).
const MAX_SLICES: usize = 200;

/// The fixed cost of reading one slice, in rows visited.
const SLICE_OVERHEAD: f64 = 8.0;

/// Where the previous page ended: its last row's `(unlocked_at, id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub unlocked_at: Millis,
    pub id: String,
}

/// Which events to list. Filters combine with AND; empty ones match everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryQuery {
    /// Only this account's events.
    pub source: Option<String>,
    /// Only these doors; empty means every door (events without a door included).
    pub door_ids: Vec<String>,
    /// Only these places; empty means every place.
    pub place_ids: Vec<String>,
    /// Case-insensitive substring of the user name or the door name. Blank means none.
    pub text: Option<String>,
    /// `unlocked_at >= from`.
    pub from: Option<Millis>,
    /// `unlocked_at < to`.
    pub to: Option<Millis>,
    /// Rows strictly after this cursor (older): the previous page's `next`.
    pub before: Option<Cursor>,
    /// Rows per page, clamped to `1..=MAX_PAGE`.
    pub limit: u32,
    /// Only the unlocks marked with this stay (`unlock_marks.stay_id`).
    pub stay_id: Option<i64>,
}

impl HistoryQuery {
    fn text(&self) -> Option<String> {
        self.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase)
    }
}

/// One event in the history list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub id: String,
    pub created_at: Millis,
    pub timestamp: Option<Millis>,
    pub unlocked_at: Millis,
    pub door_id: Option<String>,
    pub door_name: Option<String>,
    pub user_name: Option<String>,
    pub notify_state: NotifyState,
    /// `created_at − timestamp`: how late the lock reported the unlock.
    pub report_delay_ms: Option<i64>,
    pub place_id: Option<String>,
    /// Not the person's first unlock at its place that day.
    pub repeat: bool,
    /// Arrived while its door was muted.
    pub muted: bool,
    /// Another upload of the unlock whose row has this id (see
    /// [`doorpost_core::duplicates`]): kept, never announced a second time.
    pub duplicate_of: Option<String>,
    /// Parakey's user id.
    pub user_id: Option<String>,
    /// Who unlocked, as "arrivals" keys it: `user:<id>`, `access:<id>` or `name:<name>`.
    pub person: Option<String>,
    /// What the matching marked it, at a place with booking feeds.
    pub mark: Option<Mark>,
    /// The person is marked staff.
    pub is_staff: bool,
}

/// An unlock's mark (`unlock_marks`), with its stay's time as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub kind: MarkKind,
    pub stay_id: Option<i64>,
    /// `None` without a stay (vacant, staff) or when the stay is gone.
    pub stay: Option<StayTime>,
}

impl HistoryRow {
    /// The access's id, when it is what names the person (no user id).
    pub fn access_id(&self) -> Option<&str> {
        self.person.as_deref()?.strip_prefix("access:")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    /// The cursor for the next (older) page; `None` when this page is the last.
    pub next: Option<Cursor>,
}

/// A door that events have been seen at (the settings door picker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorSeen {
    pub id: String,
    /// The latest name seen for it.
    pub name: Option<String>,
    pub last_unlock: Millis,
    /// Stored events at this door.
    pub count: u64,
    /// The place it was last seen at.
    pub place_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    Scan,
    ByDoor,
    ByName,
}

/// The names a text matches, with their row counts.
#[derive(Debug, Default)]
struct TextMatch {
    /// Distinct matching door names.
    door_names: Vec<String>,
    /// The doors that carried a matching name (`None`: events without a door id), with
    /// how many rows carry it.
    doors: Vec<(Option<String>, u64)>,
    user_names: Vec<(String, u64)>,
}

impl TextMatch {
    fn counts(&self) -> impl Iterator<Item = u64> + '_ {
        self.doors
            .iter()
            .map(|(_, n)| *n)
            .chain(self.user_names.iter().map(|(_, n)| *n))
    }

    fn rows(&self) -> u64 {
        self.counts().sum()
    }

    fn slices(&self) -> usize {
        self.doors.len() + self.user_names.len()
    }
}

/// A query with its text resolved to names.
struct Resolved<'q> {
    q: &'q HistoryQuery,
    text: Option<TextMatch>,
}

const COLUMNS: &str = "id, created_at, timestamp, unlocked_at, door_id, door_name, user_name, \
     notify_state, place_id, repeat, muted, duplicate_of, user_id, person";
const NEWEST_FIRST: &str = " ORDER BY unlocked_at DESC, id DESC LIMIT ?";

/// A statement under construction: SQL text with `?` placeholders and their values.
#[derive(Default)]
struct Sql {
    text: String,
    params: Vec<Value>,
}

impl Sql {
    fn push(&mut self, sql: &str, value: impl Into<Value>) {
        self.text.push_str(sql);
        self.params.push(value.into());
    }

    fn json_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
        serde_json::Value::Array(names.map(|n| n.into()).collect()).to_string()
    }

    /// The filters as `AND ...` terms. `skip` leaves out the dimension a slice already
    /// fixes; `with_cursor` is false for counts.
    fn filters(&mut self, r: &Resolved<'_>, skip: Option<Plan>, with_cursor: bool) {
        let q = r.q;
        if let Some(source) = &q.source {
            self.push(" AND source = ?", source.clone());
        }
        if !q.place_ids.is_empty() {
            let ids = Self::json_list(q.place_ids.iter().map(String::as_str));
            self.push(" AND place_id IN (SELECT value FROM json_each(?))", ids);
        }
        if !q.door_ids.is_empty() && skip != Some(Plan::ByDoor) {
            let ids = Self::json_list(q.door_ids.iter().map(String::as_str));
            self.push(" AND door_id IN (SELECT value FROM json_each(?))", ids);
        }
        if let Some(t) = &r.text
            && skip != Some(Plan::ByName)
        {
            let doors = Self::json_list(t.door_names.iter().map(String::as_str));
            let users = Self::json_list(t.user_names.iter().map(|(n, _)| n.as_str()));
            self.push(" AND (door_name IN (SELECT value FROM json_each(?))", doors);
            self.push(" OR user_name IN (SELECT value FROM json_each(?)))", users);
        }
        if let Some(from) = q.from {
            self.push(" AND unlocked_at >= ?", from.0);
        }
        if let Some(to) = q.to {
            self.push(" AND unlocked_at < ?", to.0);
        }
        if let Some(stay) = q.stay_id {
            self.push(
                " AND id IN (SELECT event_id FROM unlock_marks WHERE stay_id = ?)",
                stay,
            );
        }
        if with_cursor && let Some(c) = &q.before {
            self.push(" AND (unlocked_at, id) < (?", c.unlocked_at.0);
            self.push(", ?)", c.id.clone());
        }
    }
}

/// One slice: the newest `n` rows that pass `condition` (SQL with its own values) and
/// the other filters, read through `index`.
fn slice(
    r: &Resolved<'_>,
    plan: Plan,
    index: &str,
    (condition, params): (&str, Vec<Value>),
    n: i64,
) -> Sql {
    let mut s = Sql {
        text: format!("SELECT {COLUMNS} FROM event_log INDEXED BY {index} WHERE {condition}"),
        params,
    };
    s.filters(r, Some(plan), true);
    s.push(NEWEST_FIRST, n);
    s
}

impl Store {
    /// One page of history, newest first. Fast at a million rows whatever the filters.
    pub fn history(&self, q: &HistoryQuery) -> Result<HistoryPage> {
        self.history_with(q, None)
    }

    /// [`Store::history`] with the plan chosen by the caller (tests compare the plans).
    pub(super) fn history_with(
        &self,
        q: &HistoryQuery,
        force: Option<Plan>,
    ) -> Result<HistoryPage> {
        let limit = q.limit.clamp(1, MAX_PAGE);
        let n = i64::from(limit) + 1;
        let r = Resolved {
            q,
            text: self.match_text(q)?,
        };
        if r.text.as_ref().is_some_and(|t| t.slices() == 0) {
            return Ok(HistoryPage::default());
        }
        let plan = match force {
            Some(Plan::ByDoor) if q.door_ids.is_empty() => Plan::Scan,
            Some(Plan::ByName) if r.text.is_none() => Plan::Scan,
            Some(p) => p,
            None => self.choose(&r, n)?,
        };

        let sql = union(plan_slices(&r, plan, n), n);
        let mut stmt = self.conn.prepare_cached(&sql.text)?;
        let mut rows = stmt
            .query_map(rusqlite::params_from_iter(sql.params), history_row)?
            .collect::<Result<Vec<_>, _>>()?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|last| Cursor {
                unlocked_at: last.unlocked_at,
                id: last.id.clone(),
            })
        } else {
            None
        };
        self.annotate(&mut rows)?;
        Ok(HistoryPage { rows, next })
    }

    /// Each row's mark and stay (one statement for the page) and whether its person is
    /// staff (compared as the matching compares them).
    fn annotate(&self, rows: &mut [HistoryRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let ids = Sql::json_list(rows.iter().map(|r| r.id.as_str()));
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.event_id, m.mark, m.stay_id, s.start_date, s.end_date, s.start_at, s.end_at \
             FROM unlock_marks m LEFT JOIN stays s ON s.id = m.stay_id \
             WHERE m.event_id IN (SELECT value FROM json_each(?1))",
        )?;
        let marks = stmt.query_map([ids], |r| {
            let kind: String = r.get(1)?;
            let (start, end): (Option<String>, Option<String>) = (r.get(3)?, r.get(4)?);
            let stay = crate::stay_rules::stay_time(
                start.as_deref(),
                end.as_deref(),
                r.get(5)?,
                r.get(6)?,
            );
            Ok((r.get::<_, String>(0)?, kind, r.get(2)?, stay))
        })?;
        let mut by_event: HashMap<String, Mark> = HashMap::new();
        for mark in marks {
            let (event, kind, stay_id, stay) = mark?;
            let Ok(kind) = serde_json::from_value(serde_json::Value::String(kind)) else {
                continue;
            };
            by_event.insert(
                event,
                Mark {
                    kind,
                    stay_id,
                    stay,
                },
            );
        }
        let staff = self.staff_set()?;
        for row in rows {
            row.mark = by_event.remove(&row.id);
            row.is_staff = staff.contains(&doorpost_stays::Unlock {
                at: chrono::DateTime::UNIX_EPOCH,
                name: row.user_name.clone(),
                user_id: row.user_id.clone(),
                access_id: row.access_id().map(String::from),
            });
        }
        Ok(())
    }

    /// Runs `f` on one snapshot of the history: every read it makes sees the same rows,
    /// whatever commits meanwhile (an export's pages agree with each other).
    pub fn snapshot<T>(&self, f: impl FnOnce(&Store) -> T) -> Result<T> {
        let read = self.conn.unchecked_transaction()?;
        let out = f(self);
        read.rollback()?;
        Ok(out)
    }

    /// How many rows all pages of `q` hold together (`before` and `limit` are ignored), in
    /// one statement whatever the number of matching names. It visits every matching row,
    /// once, through the narrowest index: slower than a page, bounded by one pass over an
    /// index.
    pub fn count(&self, q: &HistoryQuery) -> Result<u64> {
        let r = Resolved {
            q,
            text: self.match_text(q)?,
        };
        let Some(t) = &r.text else {
            let mut sql = Sql {
                text: "SELECT COUNT(*) FROM event_log WHERE 1".into(),
                params: Vec::new(),
            };
            sql.filters(&r, None, false);
            return self.count_rows(sql);
        };
        if t.slices() == 0 {
            return Ok(0);
        }
        // The matching user names' rows through their index, plus the rows of the doors
        // that carried a matching door name through theirs. A row whose user name and
        // door name both match is counted under its user name only.
        let users = Sql::json_list(t.user_names.iter().map(|(n, _)| n.as_str()));
        let door_names = Sql::json_list(t.door_names.iter().map(String::as_str));
        let door_ids = Sql::json_list(t.doors.iter().filter_map(|(d, _)| d.as_deref()));
        let mut sql = Sql {
            text: "SELECT 0".into(),
            params: Vec::new(),
        };
        let term = |sql: &mut Sql, index: &str, condition: &str, params: Vec<Value>| {
            sql.text.push_str(&format!(
                " + (SELECT COUNT(*) FROM event_log INDEXED BY {index} WHERE {condition}"
            ));
            sql.params.extend(params);
            sql.filters(&r, Some(Plan::ByName), false);
            sql.text.push(')');
        };
        if !t.user_names.is_empty() {
            let cond = "user_name IN (SELECT value FROM json_each(?))";
            term(
                &mut sql,
                "event_log_by_user_name",
                cond,
                vec![users.clone().into()],
            );
        }
        let by_door_name = " AND door_name IN (SELECT value FROM json_each(?)) AND \
             (user_name IS NULL OR user_name NOT IN (SELECT value FROM json_each(?)))";
        let names = || vec![door_names.clone().into(), users.clone().into()];
        if t.doors.iter().any(|(d, _)| d.is_some()) {
            let cond = format!("door_id IN (SELECT value FROM json_each(?)){by_door_name}");
            let mut params = vec![door_ids.clone().into()];
            params.extend(names());
            term(&mut sql, "event_log_by_door", &cond, params);
        }
        if t.doors.iter().any(|(d, _)| d.is_none()) {
            let cond = format!("door_id IS NULL{by_door_name}");
            term(&mut sql, "event_log_by_door", &cond, names());
        }
        self.count_rows(sql)
    }

    fn count_rows(&self, sql: Sql) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached(&sql.text)?
            .query_row(rusqlite::params_from_iter(sql.params), |r| r.get(0))?)
    }

    /// The doors events were seen at, by name.
    pub fn doors(&self) -> Result<Vec<DoorSeen>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, last_unlock, events, place_id FROM doors \
             ORDER BY name IS NULL, name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map([], door_seen)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A place's `limit` doors the tray ranks first: muted ones (until after `now`) first,
    /// then the most recently active, ties by name; returned by name like
    /// [`Store::doors`]. The tray shows a few of them however many doors a server sends,
    /// so it reads only these, never every door.
    pub fn tray_doors(&self, place_id: &str, now: Millis, limit: usize) -> Result<Vec<DoorSeen>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, last_unlock, events, place_id FROM ( \
               SELECT d.id, d.name, d.last_unlock, d.events, d.place_id FROM doors d \
               LEFT JOIN mutes m ON m.door_id = d.id WHERE d.place_id = ?1 \
               ORDER BY COALESCE(m.until > ?2, 0) DESC, d.last_unlock DESC, \
                 d.name IS NULL, d.name COLLATE NOCASE, d.id LIMIT ?3) \
             ORDER BY name IS NULL, name COLLATE NOCASE, id",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![place_id, now.0, limit], door_seen)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Unlocks per local day (`YYYY-MM-DD` at `utc_offset_secs` east of UTC) with
    /// `from <= unlocked_at < to`, oldest first. Days without events are left out.
    pub fn daily_counts(
        &self,
        from: Millis,
        to: Millis,
        utc_offset_secs: i32,
    ) -> Result<Vec<(String, u64)>> {
        let q = HistoryQuery {
            from: Some(from),
            to: Some(to),
            ..HistoryQuery::default()
        };
        self.daily_counts_matching(&q, utc_offset_secs)
    }

    /// [`Store::daily_counts`] of the rows `q` matches (every filter; its `from` and `to`
    /// bound the days, `before` and `limit` are ignored): the chart of a filtered history
    /// in one statement, through the time index and the same filters as a page's scan.
    pub fn daily_counts_matching(
        &self,
        q: &HistoryQuery,
        utc_offset_secs: i32,
    ) -> Result<Vec<(String, u64)>> {
        let r = Resolved {
            q,
            text: self.match_text(q)?,
        };
        let offset_ms = i64::from(utc_offset_secs) * 1_000;
        let index = if q.from.is_some() || q.to.is_some() {
            "INDEXED BY event_log_by_time"
        } else {
            ""
        };
        let mut sql = Sql {
            text: format!(
                "SELECT (local - ((local % 86400000) + 86400000) % 86400000) / 86400000 AS day, \
                 COUNT(*) FROM (SELECT unlocked_at + ? AS local FROM event_log {index} WHERE 1"
            ),
            params: vec![offset_ms.into()],
        };
        sql.filters(&r, None, false);
        sql.text.push_str(") GROUP BY day ORDER BY day");
        let mut stmt = self.conn.prepare_cached(&sql.text)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(sql.params), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, u64>(1)?))
        })?;
        let mut days = Vec::new();
        for row in rows {
            let (day, count) = row?;
            let label = chrono::DateTime::from_timestamp(day * 86_400, 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| format!("day {day}"));
            days.push((label, count));
        }
        Ok(days)
    }

    /// The names the query's text matches, with their counts; `None` without a text.
    fn match_text(&self, q: &HistoryQuery) -> Result<Option<TextMatch>> {
        let Some(text) = q.text() else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, name, door_id, events FROM names")?;
        let mut rows = stmt.query([])?;
        let mut m = TextMatch::default();
        // Where each matching door and door name already is in `m`: a broad search over a
        // hostile account's 20,000 doors must not compare each match with every other.
        let mut door_at: HashMap<Option<String>, usize> = HashMap::new();
        let mut door_names: HashSet<String> = HashSet::new();
        while let Some(r) = rows.next()? {
            let name: String = r.get(1)?;
            if !name.to_lowercase().contains(&text) {
                continue;
            }
            let events: u64 = r.get(3)?;
            if r.get_ref(0)?.as_str().is_ok_and(|kind| kind == "door") {
                let door: String = r.get(2)?;
                let door = (!door.is_empty()).then_some(door);
                match door_at.get(&door) {
                    Some(&i) => m.doors[i].1 += events,
                    None => {
                        door_at.insert(door.clone(), m.doors.len());
                        m.doors.push((door, events));
                    }
                }
                if door_names.insert(name.clone()) {
                    m.door_names.push(name);
                }
            } else {
                m.user_names.push((name, events));
            }
        }
        Ok(Some(m))
    }

    /// The plan expected to visit the fewest rows. The estimate assumes the filters are
    /// independent and spread evenly over time; it only has to tell "a few rows" from "a
    /// long walk".
    fn choose(&self, r: &Resolved<'_>, n: i64) -> Result<Plan> {
        let q = r.q;
        // The largest rowid is the row count, or more after a place's history was
        // deleted: an estimate, which only has to tell a few rows from a long walk.
        let total: i64 = self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(rowid), 0) FROM event_log")?
            .query_row([], |r| r.get(0))?;
        let total = total.max(1) as f64;
        let n = n as f64;
        let share = |rows: u64| (rows as f64 / total).min(1.0);
        // Rows a walk visits to collect a page when a fraction `f` of them match.
        let walk = |f: f64| if f > 0.0 { (n / f).min(total) } else { total };

        let door_counts = if q.door_ids.is_empty() {
            Vec::new()
        } else {
            self.door_counts(&q.door_ids)?
        };
        let f_door = if q.door_ids.is_empty() {
            1.0
        } else {
            share(door_counts.iter().sum())
        };
        let f_text = r.text.as_ref().map_or(1.0, |t| share(t.rows()));

        let mut best = (Plan::Scan, walk(f_door * f_text));
        let slices = |counts: &mut dyn Iterator<Item = u64>, other: f64| -> f64 {
            counts
                .map(|c| (c as f64).min(walk(other)) + SLICE_OVERHEAD)
                .sum()
        };
        if !q.door_ids.is_empty() && door_counts.len() <= MAX_SLICES {
            let cost = slices(&mut door_counts.iter().copied(), f_text);
            if cost < best.1 {
                best = (Plan::ByDoor, cost);
            }
        }
        if let Some(t) = &r.text
            && t.slices() <= MAX_SLICES
        {
            let cost = slices(&mut t.counts(), f_door);
            if cost < best.1 {
                best = (Plan::ByName, cost);
            }
        }
        Ok(best.0)
    }

    /// Stored events per requested door id (0 for a door never seen), in one statement.
    fn door_counts(&self, ids: &[String]) -> Result<Vec<u64>> {
        let ids = Sql::json_list(ids.iter().map(String::as_str));
        let mut stmt = self.conn.prepare_cached(
            "SELECT COALESCE((SELECT events FROM doors WHERE id = ids.value), 0) \
             FROM json_each(?1) AS ids ORDER BY ids.key",
        )?;
        let counts = stmt.query_map([ids], |r| r.get(0))?;
        Ok(counts.collect::<Result<_, _>>()?)
    }
}

/// The statements of `plan`, one per slice, each sorted newest first and cut to `n` rows.
fn plan_slices(r: &Resolved, plan: Plan, n: i64) -> Vec<Sql> {
    let q = r.q;
    let mut slices: Vec<Sql> = Vec::new();
    match plan {
        Plan::Scan => {
            let mut s = Sql {
                text: format!(
                    "SELECT {COLUMNS} FROM event_log INDEXED BY event_log_by_time WHERE 1"
                ),
                params: Vec::new(),
            };
            s.filters(r, None, true);
            s.push(NEWEST_FIRST, n);
            slices.push(s);
        }
        Plan::ByDoor => {
            let mut ids: Vec<&str> = q.door_ids.iter().map(String::as_str).collect();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let cond = ("door_id = ?", vec![id.to_owned().into()]);
                slices.push(slice(r, plan, "event_log_by_door", cond, n));
            }
        }
        Plan::ByName => {
            let t = r.text.as_ref().expect("the plan needs a text");
            let door_names = Sql::json_list(t.door_names.iter().map(String::as_str));
            for (door, _) in &t.doors {
                let cond = match door {
                    Some(id) => (
                        "door_id = ? AND door_name IN (SELECT value FROM json_each(?))",
                        vec![id.clone().into(), door_names.clone().into()],
                    ),
                    None => (
                        "door_id IS NULL AND door_name IN (SELECT value FROM json_each(?))",
                        vec![door_names.clone().into()],
                    ),
                };
                slices.push(slice(r, plan, "event_log_by_door", cond, n));
            }
            for (name, _) in &t.user_names {
                let cond = ("user_name = ?", vec![name.clone().into()]);
                slices.push(slice(r, plan, "event_log_by_user_name", cond, n));
            }
        }
    }
    slices
}

/// One statement from the slices: the only one, or their union sorted and cut again.
fn union(mut slices: Vec<Sql>, n: i64) -> Sql {
    if slices.len() == 1 {
        slices.pop().expect("one slice")
    } else {
        // Each slice is already sorted and cut to a page; UNION also drops a row that
        // two name slices share (its user and its door both match).
        let mut all = Sql::default();
        for (i, s) in slices.into_iter().enumerate() {
            if i > 0 {
                all.text.push_str(" UNION ");
            }
            all.text.push_str("SELECT * FROM (");
            all.text.push_str(&s.text);
            all.text.push(')');
            all.params.extend(s.params);
        }
        all.push(NEWEST_FIRST, n);
        all
    }
}

/// A history row from a statement over [`COLUMNS`].
fn history_row(r: &rusqlite::Row) -> rusqlite::Result<HistoryRow> {
    let created_at = Millis(r.get(1)?);
    let timestamp = r.get::<_, Option<i64>>(2)?.map(Millis);
    Ok(HistoryRow {
        id: r.get(0)?,
        created_at,
        timestamp,
        unlocked_at: Millis(r.get(3)?),
        door_id: r.get(4)?,
        door_name: r.get(5)?,
        user_name: r.get(6)?,
        notify_state: r.get(7)?,
        report_delay_ms: timestamp.map(|t| created_at.since(t)),
        place_id: r.get(8)?,
        repeat: r.get(9)?,
        muted: r.get(10)?,
        duplicate_of: r.get(11)?,
        user_id: r.get(12)?,
        person: r.get(13)?,
        mark: None,
        is_staff: false,
    })
}

/// A door from a statement over `id, name, last_unlock, events, place_id`.
fn door_seen(r: &rusqlite::Row) -> rusqlite::Result<DoorSeen> {
    Ok(DoorSeen {
        id: r.get(0)?,
        name: r.get(1)?,
        last_unlock: Millis(r.get(2)?),
        count: r.get(3)?,
        place_id: r.get(4)?,
    })
}
