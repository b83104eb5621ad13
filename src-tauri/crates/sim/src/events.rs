//! The fake's event store: what tests inject, and the query behind `GET /eventLogs`.
//!
//! Rows are never removed, so a row's index in `rows` is its insertion order and the
//! final tie-break of every ordering. Two index vectors keep the rows sorted by
//! `createdAt` and by `timestamp`; appends in order keep them sorted for free, anything
//! else marks them for one re-sort before the next query. A page then costs a binary
//! search plus the page whenever the date filter is on the sort key (the common case),
//! and a scan only for the odd combinations (filtering one field while sorting by the
//! other, or rows still in flight while sorting by `timestamp`).
//!
//! Doors are stored once and referenced by id, so a rename or a deletion shows in every
//! event, old ones included, as Parakey embeds "all resources related to the event" when
//! it serves them.

use std::collections::HashMap;

use doorpost_core::Millis;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::{BodyShape, DateField, ScrubbedUser};

/// A door, a place or an access: an id and a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub id: String,
    pub name: String,
}

impl Resource {
    pub fn new(id: &str, name: &str) -> Resource {
        Resource {
            id: id.into(),
            name: name.into(),
        }
    }
}

/// The person in an event's `user` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSpec {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

impl UserSpec {
    pub fn new(id: &str, first_name: &str, last_name: &str, email: &str) -> UserSpec {
        UserSpec {
            id: id.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
        }
    }
}

/// One unlock to inject. `EventSpec::default()` is Ann Berg opening the Front door
/// right now (server clock), uploaded instantly.
///
/// As JSON (control API), camelCase, every field optional; times are epoch milliseconds
/// or RFC 3339 strings: `{"door":{"id":"Dv2","name":"Gym"},"user":null,"lateByMs":3600000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventSpec {
    /// Default: a fresh random 10-character alphanumeric id. Not checked for
    /// uniqueness, so a test can serve the same id twice.
    pub id: Option<String>,
    /// The door. Its `name` registers the door the first time its id is seen; after
    /// that the stored name (see `rename_door`) wins, and a deleted door stays deleted.
    pub door: Resource,
    /// `None` serves an already scrubbed event.
    pub user: Option<UserSpec>,
    pub access: Option<Resource>,
    /// Default: the server's now.
    #[serde(with = "flexible_millis")]
    pub created_at: Option<Millis>,
    /// The device time. Default `created_at − late_by_ms`. May be set after
    /// `created_at` (a device clock running ahead).
    #[serde(with = "flexible_millis")]
    pub timestamp: Option<Millis>,
    /// How long the lock held the event before uploading it; ignored when `timestamp`
    /// is set. Default 0.
    pub late_by_ms: i64,
    /// The `type` field. Default `unlock`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl Default for EventSpec {
    fn default() -> Self {
        EventSpec {
            id: None,
            door: Resource::new("Dv0000001a", "Front door"),
            user: Some(UserSpec::new(
                "THC6P98RmM",
                "Ann",
                "Berg",
                "ann@example.com",
            )),
            access: Some(Resource::new("RZglGYR2Je", "Guest key")),
            created_at: None,
            timestamp: None,
            late_by_ms: 0,
            kind: "unlock".into(),
        }
    }
}

impl EventSpec {
    /// The default unlock, arriving at `created_at`.
    pub fn at(created_at: Millis) -> EventSpec {
        EventSpec {
            created_at: Some(created_at),
            ..EventSpec::default()
        }
    }
    pub fn id(mut self, id: &str) -> EventSpec {
        self.id = Some(id.into());
        self
    }
    pub fn door(mut self, id: &str, name: &str) -> EventSpec {
        self.door = Resource::new(id, name);
        self
    }
    pub fn user(mut self, user: Option<UserSpec>) -> EventSpec {
        self.user = user;
        self
    }
    pub fn access(mut self, access: Option<Resource>) -> EventSpec {
        self.access = access;
        self
    }
    /// Uploaded `ms` after the unlock (an offline lock).
    pub fn late_by(mut self, ms: i64) -> EventSpec {
        self.late_by_ms = ms;
        self
    }
    /// An explicit device time, e.g. after `createdAt` for a lock whose clock runs fast.
    pub fn timestamp(mut self, timestamp: Millis) -> EventSpec {
        self.timestamp = Some(timestamp);
        self
    }
}

/// `Option<Millis>` read from epoch milliseconds or an RFC 3339 string; written as RFC 3339.
mod flexible_millis {
    use doorpost_core::Millis;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use serde_json::Value;

    pub fn serialize<S: Serializer>(value: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(m) => s.serialize_str(&m.to_rfc3339()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Number(n) => n
                .as_i64()
                .map(|ms| Some(Millis(ms)))
                .ok_or_else(|| D::Error::custom("time must be whole epoch milliseconds")),
            Value::String(s) => Millis::parse_rfc3339(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {s:?}"))),
            other => Err(D::Error::custom(format!("not a time: {other}"))),
        }
    }
}

/// Reads a time the way the control API accepts it: epoch ms or RFC 3339.
pub(crate) fn millis_from_json(value: &Value) -> Option<Millis> {
    match value {
        Value::Number(n) => n.as_i64().map(Millis),
        Value::String(s) => Millis::parse_rfc3339(s),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct DoorState {
    name: String,
    deleted: bool,
}

#[derive(Debug, Clone)]
enum Record {
    Unlock {
        door_id: String,
        user: Option<UserSpec>,
        access: Option<Resource>,
        kind: String,
    },
    /// Served verbatim: malformed on purpose.
    Raw(Value),
}

#[derive(Debug, Clone)]
struct StoredEvent {
    id: Option<String>,
    created_at: Millis,
    timestamp: Millis,
    record: Record,
    /// Listed from its insertion on, whatever its `createdAt` says (a raw record: the
    /// absurd and future dates tests feed the client).
    always_visible: bool,
}

/// The field a listing is sorted by (insertion order is the rows' own order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKey {
    CreatedAt,
    Timestamp,
    Insertion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Asc,
    Desc,
}

/// One `GET /eventLogs` after the switches were applied: no unsupported parameter
/// survives to here.
#[derive(Debug, Clone)]
pub(crate) struct ListQuery {
    pub sort: SortKey,
    pub direction: Direction,
    pub date_field: DateField,
    /// `(date, inclusive)`
    pub start: Option<(Millis, bool)>,
    pub end: Option<(Millis, bool)>,
    pub skip: usize,
    pub limit: usize,
    /// Rows whose `createdAt` is after this are still in flight.
    pub visible_until: Millis,
    pub want_total: bool,
    /// Rows sharing a sort key come back in an order drawn from this seed.
    pub shuffle_ties: Option<u64>,
}

/// The rows of one page, and how many rows matched before paging (exact when the
/// query asked for a total or the fast path ran; otherwise a lower bound).
pub(crate) struct Selection {
    pub rows: Vec<usize>,
    pub total: usize,
}

/// How rows are written out.
pub(crate) struct RenderStyle<'a> {
    pub domain: Resource,
    pub scrubbed_user: ScrubbedUser,
    pub shape: &'a BodyShape,
}

#[derive(Debug, Default)]
pub(crate) struct EventTable {
    rows: Vec<StoredEvent>,
    by_created: Vec<usize>,
    by_timestamp: Vec<usize>,
    created_unsorted: bool,
    timestamp_unsorted: bool,
    /// The latest row for each id.
    ids: HashMap<String, usize>,
    doors: HashMap<String, DoorState>,
    max_created_at: Option<Millis>,
    /// Some row is listed regardless of its `createdAt`: queries take the scan path.
    any_always_visible: bool,
}

impl EventTable {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Stores an unlock; `now` fills in a missing `createdAt`, `id` a missing id.
    pub fn insert(&mut self, spec: EventSpec, now: Millis, id: String) {
        let created_at = spec.created_at.unwrap_or(now);
        let timestamp = spec
            .timestamp
            .unwrap_or_else(|| created_at.minus(spec.late_by_ms));
        self.doors
            .entry(spec.door.id.clone())
            .or_insert_with(|| DoorState {
                name: spec.door.name.clone(),
                deleted: false,
            });
        self.push(StoredEvent {
            id: Some(id),
            created_at,
            timestamp,
            record: Record::Unlock {
                door_id: spec.door.id,
                user: spec.user,
                access: spec.access,
                kind: spec.kind,
            },
            always_visible: false,
        });
    }

    /// Stores any JSON verbatim. It is placed by its own `createdAt`/`timestamp` where
    /// they parse, else at `now`, so filters and orderings still reach it; it is listed
    /// from now on even when its `createdAt` lies in the future (that is the point of an
    /// absurd date).
    pub fn insert_raw(&mut self, raw: Value, now: Millis) {
        let created_at = raw
            .get("createdAt")
            .and_then(millis_from_json)
            .unwrap_or(now);
        let timestamp = raw
            .get("timestamp")
            .and_then(millis_from_json)
            .unwrap_or(created_at);
        let id = raw.get("id").and_then(Value::as_str).map(String::from);
        self.push(StoredEvent {
            id,
            created_at,
            timestamp,
            record: Record::Raw(raw),
            always_visible: true,
        });
    }

    fn push(&mut self, row: StoredEvent) {
        let index = self.rows.len();
        if let Some(&last) = self.by_created.last() {
            self.created_unsorted |= row.created_at < self.rows[last].created_at;
        }
        if let Some(&last) = self.by_timestamp.last() {
            self.timestamp_unsorted |= row.timestamp < self.rows[last].timestamp;
        }
        if let Some(id) = &row.id {
            self.ids.insert(id.clone(), index);
        }
        self.any_always_visible |= row.always_visible;
        self.max_created_at = Some(match self.max_created_at {
            Some(m) => m.max(row.created_at),
            None => row.created_at,
        });
        self.by_created.push(index);
        self.by_timestamp.push(index);
        self.rows.push(row);
    }

    fn ensure_sorted(&mut self) {
        let rows = &self.rows;
        if self.created_unsorted {
            self.by_created.sort_by_key(|&i| (rows[i].created_at, i));
            self.created_unsorted = false;
        }
        if self.timestamp_unsorted {
            self.by_timestamp.sort_by_key(|&i| (rows[i].timestamp, i));
            self.timestamp_unsorted = false;
        }
    }

    /// Sets `user` to null on the event with this id. False when there is no such event.
    pub fn scrub_user(&mut self, event_id: &str) -> bool {
        match self.ids.get(event_id) {
            Some(&i) => {
                scrub(&mut self.rows[i].record);
                true
            }
            None => false,
        }
    }

    /// Scrubs every event whose `createdAt` is before `cutoff`; returns how many changed.
    pub fn scrub_all_before(&mut self, cutoff: Millis) -> usize {
        self.rows
            .iter_mut()
            .filter(|row| row.created_at < cutoff)
            .map(|row| scrub(&mut row.record))
            .filter(|changed| *changed)
            .count()
    }

    pub fn rename_door(&mut self, door_id: &str, name: &str) -> bool {
        match self.doors.get_mut(door_id) {
            Some(door) => {
                door.name = name.into();
                true
            }
            None => false,
        }
    }

    pub fn delete_door(&mut self, door_id: &str) -> bool {
        match self.doors.get_mut(door_id) {
            Some(door) => {
                door.deleted = true;
                true
            }
            None => false,
        }
    }

    /// The row served at `/eventLogs/:id`, if it is visible.
    /// The id of the row at `row`, when it has one.
    pub fn id_at(&self, row: usize) -> Option<&str> {
        self.rows.get(row).and_then(|r| r.id.as_deref())
    }

    pub fn find(&self, id: &str, visible_until: Millis) -> Option<usize> {
        self.ids
            .get(id)
            .copied()
            .filter(|&i| self.rows[i].created_at <= visible_until)
    }

    pub fn select(&mut self, q: &ListQuery) -> Selection {
        match q.shuffle_ties {
            Some(seed) => self.select_shuffled(q, seed),
            None => self.select_ordered(q),
        }
    }

    /// Every matching row, rows sharing a sort key shuffled, then paged: what a database
    /// sorting on a non-unique key may do on every query. A scan; only tests use it.
    fn select_shuffled(&mut self, q: &ListQuery, seed: u64) -> Selection {
        let all = ListQuery {
            skip: 0,
            limit: usize::MAX,
            want_total: true,
            shuffle_ties: None,
            ..q.clone()
        };
        let mut rows = self.select_ordered(&all).rows;
        let key = |i: usize| match q.sort {
            SortKey::CreatedAt => self.rows[i].created_at,
            SortKey::Timestamp => self.rows[i].timestamp,
            SortKey::Insertion => Millis(i as i64),
        };
        let mut rng = doorpost_core::rng::Rng::seeded(seed);
        let mut start = 0;
        while start < rows.len() {
            let end = (start..rows.len())
                .find(|&j| key(rows[j]) != key(rows[start]))
                .unwrap_or(rows.len());
            for k in (start + 1..end).rev() {
                let pick = start + (rng.next_u64() % (k - start + 1) as u64) as usize;
                rows.swap(k, pick);
            }
            start = end;
        }
        let total = rows.len();
        Selection {
            rows: rows.into_iter().skip(q.skip).take(q.limit).collect(),
            total,
        }
    }

    /// Row `i`'s value of `field` (its position, for insertion order).
    fn key(&self, i: usize, field: SortKey) -> Millis {
        match field {
            SortKey::CreatedAt => self.rows[i].created_at,
            SortKey::Timestamp => self.rows[i].timestamp,
            SortKey::Insertion => Millis(i as i64),
        }
    }

    /// The positions `lo..hi` of the sort index `order` that a binary search can bound:
    /// the query's dates when they are on the sort key, and what is visible yet.
    fn bounds(&self, q: &ListQuery, order: &[usize], dates_on_sort_key: bool) -> (usize, usize) {
        let (mut lo, mut hi) = (0, self.rows.len());
        if dates_on_sort_key {
            if let Some((start, inclusive)) = q.start {
                lo = order.partition_point(|&i| {
                    let k = self.key(i, q.sort);
                    if inclusive { k < start } else { k <= start }
                });
            }
            if let Some((end, inclusive)) = q.end {
                hi = order.partition_point(|&i| {
                    let k = self.key(i, q.sort);
                    if inclusive { k <= end } else { k < end }
                });
            }
        }
        if q.sort == SortKey::CreatedAt && !self.any_always_visible {
            let visible = order.partition_point(|&i| self.rows[i].created_at <= q.visible_until);
            hi = hi.min(visible);
        }
        (lo.min(hi), hi)
    }

    fn select_ordered(&mut self, q: &ListQuery) -> Selection {
        self.ensure_sorted();
        let rows = &self.rows;
        let order: Option<&[usize]> = match q.sort {
            SortKey::CreatedAt => Some(&self.by_created),
            SortKey::Timestamp => Some(&self.by_timestamp),
            SortKey::Insertion => None,
        };
        let at = |pos: usize| order.map_or(pos, |o| o[pos]);
        let key = |i: usize, field: SortKey| self.key(i, field);
        let date_sort_key = match q.date_field {
            DateField::CreatedAt => SortKey::CreatedAt,
            DateField::Timestamp => SortKey::Timestamp,
        };
        let dates_on_sort_key = date_sort_key == q.sort;
        let (lo, hi) = match order {
            Some(order) => self.bounds(q, order, dates_on_sort_key),
            None => (0, rows.len()),
        };

        let check_dates = !dates_on_sort_key && (q.start.is_some() || q.end.is_some());
        let check_visibility = q.sort != SortKey::CreatedAt
            && self.max_created_at.is_some_and(|m| m > q.visible_until);
        let check_visibility = check_visibility || self.any_always_visible;

        if !check_dates && !check_visibility {
            let total = hi - lo;
            let take = q.limit.min(total.saturating_sub(q.skip));
            let rows = match q.direction {
                Direction::Asc => (0..take).map(|k| at(lo + q.skip + k)).collect(),
                Direction::Desc => (0..take).map(|k| at(hi - 1 - q.skip - k)).collect(),
            };
            return Selection { rows, total };
        }

        let passes = |i: usize| {
            let row = &rows[i];
            if row.created_at > q.visible_until && !row.always_visible {
                return false;
            }
            if check_dates {
                let k = key(i, date_sort_key);
                let after_start = q
                    .start
                    .is_none_or(|(start, inclusive)| k > start || (inclusive && k == start));
                let before_end = q
                    .end
                    .is_none_or(|(end, inclusive)| k < end || (inclusive && k == end));
                if !(after_start && before_end) {
                    return false;
                }
            }
            true
        };
        let positions: Box<dyn Iterator<Item = usize>> = match q.direction {
            Direction::Asc => Box::new(lo..hi),
            Direction::Desc => Box::new((lo..hi).rev()),
        };
        let mut selected = Vec::with_capacity(q.limit.min(hi - lo));
        let mut matched = 0;
        for i in positions.map(at).filter(|&i| passes(i)) {
            if matched >= q.skip && selected.len() < q.limit {
                selected.push(i);
            }
            matched += 1;
            if !q.want_total && selected.len() >= q.limit {
                break;
            }
        }
        Selection {
            rows: selected,
            total: matched,
        }
    }

    /// The body of a list response.
    pub fn render_page(&self, selection: &Selection, style: &RenderStyle) -> Vec<u8> {
        let rows = RowList {
            table: self,
            rows: &selection.rows,
            style,
        };
        let mut out = Vec::with_capacity(selection.rows.len() * 400 + 32);
        let written = match style.shape {
            BodyShape::BareArray => serde_json::to_writer(&mut out, &rows),
            BodyShape::Envelope { key, with_total } => {
                let envelope = Envelope {
                    key,
                    total: with_total.then_some(selection.total),
                    rows,
                };
                serde_json::to_writer(&mut out, &envelope)
            }
        };
        written.expect("serialising to a Vec cannot fail: keys are strings");
        out
    }

    /// The body of an item response.
    pub fn render_one(&self, row: usize, style: &RenderStyle) -> Vec<u8> {
        serde_json::to_vec(&RowJson {
            table: self,
            row,
            style,
        })
        .expect("serialising to a Vec cannot fail: keys are strings")
    }
}

/// Scrubs one record's user; true when something changed.
fn scrub(record: &mut Record) -> bool {
    match record {
        Record::Unlock { user, .. } => user.take().is_some(),
        Record::Raw(Value::Object(map)) => match map.get_mut("user") {
            Some(user) if !user.is_null() => {
                *user = Value::Null;
                true
            }
            _ => false,
        },
        Record::Raw(_) => false,
    }
}

struct RowList<'a> {
    table: &'a EventTable,
    rows: &'a [usize],
    style: &'a RenderStyle<'a>,
}

impl Serialize for RowList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rows.iter().map(|&row| RowJson {
            table: self.table,
            row,
            style: self.style,
        }))
    }
}

struct Envelope<'a> {
    key: &'a str,
    total: Option<usize>,
    rows: RowList<'a>,
}

impl Serialize for Envelope<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry(self.key, &self.rows)?;
        if let Some(total) = self.total {
            map.serialize_entry("total", &total)?;
        }
        map.end()
    }
}

struct RowJson<'a> {
    table: &'a EventTable,
    row: usize,
    style: &'a RenderStyle<'a>,
}

#[derive(Serialize)]
struct DeviceJson<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let row = &self.table.rows[self.row];
        let (door_id, user, access, kind) = match &row.record {
            Record::Raw(raw) => return raw.serialize(s),
            Record::Unlock {
                door_id,
                user,
                access,
                kind,
            } => (door_id, user, access, kind),
        };
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", row.id.as_deref().unwrap_or_default())?;
        map.serialize_entry("timestamp", &row.timestamp.to_rfc3339())?;
        map.serialize_entry("createdAt", &row.created_at.to_rfc3339())?;
        map.serialize_entry("domain", &self.style.domain)?;
        // A deleted door keeps its id and loses its name: the event still points at it.
        let door = self.table.doors.get(door_id);
        map.serialize_entry(
            "device",
            &DeviceJson {
                id: door_id,
                name: door.filter(|d| !d.deleted).map(|d| d.name.as_str()),
            },
        )?;
        if let Some(access) = access {
            map.serialize_entry("access", access)?;
        }
        match (user, self.style.scrubbed_user) {
            (Some(user), _) => map.serialize_entry("user", user)?,
            (None, ScrubbedUser::Null) => map.serialize_entry("user", &())?,
            (None, ScrubbedUser::Missing) => {}
        }
        map.serialize_entry("type", kind)?;
        map.end()
    }
}
