//! Parakey event logs and the tolerant reader for `GET /eventLogs` bodies.
//!
//! Parakey's reference is not public (see `shared/docs/parakey-api.md`), so the reader
//! accepts every shape seen or guessed: a bare array or an envelope (`data`, `results`,
//! `items`, `eventLogs`); every field but `id` and `createdAt` optional; the door under
//! `device`, `lock`, `door` or `eventConfiguration`, labelled `name` or `title`; dates with
//! or without fractions and with any offset; unknown fields ignored.
//!
//! Invariant: one bad record never costs the others. A record without a usable `id` or
//! `createdAt` is *quarantined* (raw JSON kept, with the reason) and the rest of the page is
//! read as usual. Only a body that is not JSON at all, or not a list, fails the whole page.
//!
//! Bounds: nothing a server sends can grow what Doorpost keeps without limit. Every id
//! (the event's, the door's, the user's, the place's, the access's) longer than
//! [`MAX_ID_BYTES`] makes the record unreadable (quarantined with the reason: an id cannot
//! be cut without becoming another id). Every name, and the event's type, longer than
//! [`MAX_NAME_CHARS`] characters is cut on a character boundary, ending in `…` so the cut
//! shows. A readable record's raw JSON longer than [`MAX_RAW_BYTES`] is replaced by the
//! JSON of what was read (marked `"cut": true`), which reads back as the same event. A
//! quarantined record keeps at most [`MAX_QUARANTINE_RAW_BYTES`] of its text (its start, its
//! length and a fingerprint of the whole, so two records stay told apart), and its reason
//! at most [`MAX_REASON_CHARS`] characters.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::ipc::{StaffKind, StaffRef};
use crate::time::Millis;

/// Longest id a record may carry, in bytes (Parakey's are 10 characters).
pub const MAX_ID_BYTES: usize = 200;
/// Longest name (door, user, place, access) or type kept, in characters; longer ones are
/// cut, the last character `…`.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest raw JSON kept verbatim with a readable event, in bytes (a real record is well
/// under 1 KiB).
pub const MAX_RAW_BYTES: usize = 8 * 1024;
/// Longest text kept of a quarantined record, in bytes.
pub const MAX_QUARANTINE_RAW_BYTES: usize = 2048;
/// Longest reason kept for a quarantined record, in characters.
pub const MAX_REASON_CHARS: usize = 300;

/// A door (Parakey "device"), a place (domain) or an access: an id and a label, either may
/// be missing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Named {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// The door an event happened at.
pub type Door = Named;

/// The person who unlocked. `None` on the event when Parakey scrubbed personal data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub id: Option<String>,
    /// Display name: `firstName lastName`, else `name`, else `email`.
    pub name: Option<String>,
}

/// One event log as Doorpost understands it, plus the raw JSON it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLog {
    /// Parakey's opaque id; the primary key everywhere.
    pub id: String,
    /// When the log reached Parakey's backend (server clock). Drives the watermark.
    pub created_at: Millis,
    /// When the unlock happened on the device (device clock; may be wrong or missing).
    pub timestamp: Option<Millis>,
    pub door: Option<Door>,
    pub user: Option<Person>,
    pub domain: Option<Named>,
    pub access: Option<Named>,
    /// `type`, e.g. `unlock`; missing means an unlock.
    pub kind: Option<String>,
    /// The record exactly as Parakey sent it (compact JSON).
    pub raw: String,
}

impl EventLog {
    /// `createdAt − timestamp`: how late the lock reported the unlock. `None` without a
    /// device timestamp. Negative when the device clock runs ahead.
    pub fn report_delay_ms(&self) -> Option<i64> {
        self.timestamp.map(|t| self.created_at.since(t))
    }

    /// When the unlock happened, as best known: the device time, else arrival.
    pub fn unlocked_at(&self) -> Millis {
        self.timestamp.unwrap_or(self.created_at)
    }

    pub fn door_id(&self) -> Option<&str> {
        self.door.as_ref().and_then(|d| d.id.as_deref())
    }

    /// The door's label for people: its name, else its id, else "Unknown door".
    pub fn door_label(&self) -> &str {
        self.door
            .as_ref()
            .and_then(|d| d.name.as_deref().or(d.id.as_deref()))
            .unwrap_or("Unknown door")
    }

    /// Who unlocked, as a person is marked staff: Parakey's user id where the event has
    /// one, else the name as Parakey shows it, else the access's id; `None` for an unlock
    /// that names nobody (nothing to mark).
    pub fn staff_ref(&self) -> Option<StaffRef> {
        fn given(v: Option<&String>) -> Option<&str> {
            v.map(|v| v.trim()).filter(|v| !v.is_empty())
        }
        let user = self.user.as_ref();
        let (kind, value) = if let Some(id) = given(user.and_then(|u| u.id.as_ref())) {
            (StaffKind::User, id)
        } else if let Some(name) = given(user.and_then(|u| u.name.as_ref())) {
            (StaffKind::Name, name)
        } else {
            (StaffKind::Access, given(self.access.as_ref()?.id.as_ref())?)
        };
        Some(StaffRef {
            kind,
            value: value.to_string(),
        })
    }

    /// Who unlocked, for people: the name, else "Someone" (scrubbed or unnamed).
    pub fn user_label(&self) -> &str {
        self.user
            .as_ref()
            .and_then(|u| u.name.as_deref())
            .unwrap_or("Someone")
    }
}

/// A record that could not be read, kept for diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The id, when the record had a readable one.
    pub id: Option<String>,
    pub reason: String,
    pub raw: String,
}

/// One response body, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub events: Vec<EventLog>,
    pub quarantined: Vec<Quarantined>,
    /// Where each quarantined record stood in the body (same order as `quarantined`), so
    /// that a reader of pages can tell what came first and last.
    pub quarantined_at: Vec<usize>,
}

/// One record of a page, in body order: a readable event, or an unreadable record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record<'a> {
    Event(&'a EventLog),
    Unreadable(&'a Quarantined),
}

impl Record<'_> {
    /// What tells this record apart on another page: its id, or its raw text.
    pub fn identity(&self) -> String {
        match self {
            Record::Event(e) => format!("id:{}", e.id),
            Record::Unreadable(q) => format!("raw:{}", q.raw),
        }
    }

    pub fn created_at(&self) -> Option<crate::time::Millis> {
        match self {
            Record::Event(e) => Some(e.created_at),
            Record::Unreadable(_) => None,
        }
    }
}

impl Page {
    /// Every record, readable or not, in the order the body held them.
    pub fn records(&self) -> Vec<Record<'_>> {
        let total = self.events.len() + self.quarantined.len();
        let mut out = Vec::with_capacity(total);
        let mut events = self.events.iter();
        let mut unreadable = self.quarantined.iter().zip(&self.quarantined_at).peekable();
        for i in 0..total {
            match unreadable.peek() {
                Some((q, at)) if **at == i => {
                    out.push(Record::Unreadable(q));
                    unreadable.next();
                }
                _ => match events.next() {
                    Some(e) => out.push(Record::Event(e)),
                    // Positions past the end (a hand-made page): keep the rest in order.
                    None => out.extend(unreadable.by_ref().map(|(q, _)| Record::Unreadable(q))),
                },
            }
        }
        out
    }
}

/// Why a whole body could not be read as a page of event logs. `Display` is the English
/// the poll log keeps; [`PageError::message`] says it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
pub enum PageError {
    #[error("the response is not valid JSON ({0}); it may have been cut off")]
    NotJson(String),
    #[error("the response is JSON but holds no list of event logs")]
    NoList,
    /// A 200 with nothing in it (or only white space): never "no rows", which is `[]`.
    #[error("the response was empty")]
    Empty,
    /// A 200 whose JSON is `null`: a serializer that had nothing to say, never "no rows".
    #[error("the response was `null`")]
    Null,
}

impl PageError {
    /// The reason in `lang`, for "Parakey sent an answer Doorpost could not read: …".
    pub fn message(&self, lang: crate::settings::Language) -> String {
        use crate::i18n::{Msg, t};
        match self {
            PageError::NotJson(detail) => t(lang, Msg::BodyNotJson, &[("detail", detail)]),
            PageError::NoList => t(lang, Msg::BodyNoList, &[]),
            PageError::Empty => t(lang, Msg::BodyEmpty, &[]),
            PageError::Null => t(lang, Msg::BodyNull, &[]),
        }
    }
}

const ENVELOPE_KEYS: [&str; 6] = [
    "data",
    "results",
    "items",
    "eventLogs",
    "event_logs",
    "events",
];
const DOOR_KEYS: [&str; 4] = ["device", "lock", "door", "eventConfiguration"];

/// Reads a `GET /eventLogs` body (or a single `GET /eventLogs/:id` object). A UTF-8 byte
/// order mark and white space around the JSON are read past; an empty body or `null` is
/// an error (a transient failure for the poller), never an empty page.
pub fn parse_page(body: &[u8]) -> Result<Page, PageError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let body = body.trim_ascii();
    match body {
        b"" => return Err(PageError::Empty),
        b"null" => return Err(PageError::Null),
        _ => {}
    }
    let mut page = Page::default();
    for (position, raw) in list_records(body)?.into_iter().enumerate() {
        let text = raw.get();
        match parse_raw(text) {
            Ok(event) => page.events.push(event),
            Err(reason) => {
                page.quarantined.push(Quarantined {
                    id: serde_json::from_str::<Value>(text)
                        .ok()
                        .and_then(|v| v.get("id").and_then(id_string))
                        .filter(|id| id.len() <= MAX_ID_BYTES),
                    reason: cap_text(reason, MAX_REASON_CHARS),
                    raw: bounded_raw(text),
                });
                page.quarantined_at.push(position);
            }
        }
    }
    Ok(page)
}

/// The records of a body, each as the exact JSON text the server sent.
fn list_records(body: &[u8]) -> Result<Vec<&RawValue>, PageError> {
    let not_json = |e: serde_json::Error| PageError::NotJson(e.to_string());
    let top: &RawValue = serde_json::from_slice(body).map_err(not_json)?;
    let text = top.get();
    match text.as_bytes().first() {
        Some(b'[') => serde_json::from_str(text).map_err(not_json),
        Some(b'{') => {
            let map: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(not_json)?;
            let list = ENVELOPE_KEYS
                .iter()
                .filter_map(|k| map.get(*k))
                .find(|v| v.get().starts_with('['));
            match list {
                Some(list) => serde_json::from_str(list.get()).map_err(not_json),
                None if map.contains_key("id") && map.contains_key("createdAt") => Ok(vec![top]),
                None => Err(PageError::NoList),
            }
        }
        _ => Err(PageError::NoList),
    }
}

/// The earliest and latest instants a record may carry: 2000-01-01 and 2100-01-01 (UTC).
/// Outside them a date is a broken clock or a unit mix-up (nanoseconds read as
/// milliseconds), never an unlock; such a record must not reach the watermark or the UI.
pub const SANE_FROM: Millis = Millis(946_684_800_000);
pub const SANE_UNTIL: Millis = Millis(4_102_444_800_000);

/// One record from its text: a typed fast path for the usual shape, the tolerant
/// [`parse_record`] for anything else (numeric ids, odd types, duplicate keys).
fn parse_raw(text: &str) -> Result<EventLog, String> {
    if let Ok(wire) = serde_json::from_str::<WireEvent<'_>>(text)
        && let Some(event) = wire.into_event(text)
    {
        return sane(event).and_then(bounded);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut event = read_record(&value)?;
    event.raw = text.to_string();
    sane(event).and_then(bounded)
}

/// Applies the bounds (see the module's documentation): an over-long id refuses the
/// record, over-long names are cut, an over-long raw text is rebuilt from what was read.
fn bounded(mut event: EventLog) -> Result<EventLog, String> {
    let ids = [
        ("id", Some(&event.id)),
        ("device id", event.door.as_ref().and_then(|d| d.id.as_ref())),
        ("user id", event.user.as_ref().and_then(|u| u.id.as_ref())),
        (
            "domain id",
            event.domain.as_ref().and_then(|d| d.id.as_ref()),
        ),
        (
            "access id",
            event.access.as_ref().and_then(|a| a.id.as_ref()),
        ),
    ];
    for (what, id) in ids {
        if let Some(id) = id
            && id.len() > MAX_ID_BYTES
        {
            return Err(format!(
                "the {what} is {} bytes long, more than the {MAX_ID_BYTES} Doorpost accepts",
                id.len()
            ));
        }
    }
    let names = [
        event.door.as_mut().map(|d| &mut d.name),
        event.user.as_mut().map(|u| &mut u.name),
        event.domain.as_mut().map(|d| &mut d.name),
        event.access.as_mut().map(|a| &mut a.name),
        Some(&mut event.kind),
    ];
    for name in names.into_iter().flatten() {
        if let Some(n) = name.take() {
            *name = Some(cap_text(n, MAX_NAME_CHARS));
        }
    }
    if event.raw.len() > MAX_RAW_BYTES {
        event.raw = read_back_raw(&event);
    }
    Ok(event)
}

/// `s`, or when longer than `max_chars`, its start ending in `…` (see [`crate::text::cut`]).
fn cap_text(s: String, max_chars: usize) -> String {
    // More bytes than characters allowed is the cheap test; counting only then.
    if s.len() <= max_chars || s.chars().count() <= max_chars {
        return s;
    }
    crate::text::cut(&s, max_chars)
}

/// The JSON of what was read from a record whose text was too long to keep: it reads back
/// as the same event.
fn read_back_raw(e: &EventLog) -> String {
    let named = |n: &Option<Named>| {
        n.as_ref()
            .map(|n| serde_json::json!({ "id": n.id, "name": n.name }))
    };
    let user = e
        .user
        .as_ref()
        .map(|u| serde_json::json!({ "id": u.id, "name": u.name }));
    serde_json::json!({
        "cut": true,
        "id": e.id,
        "createdAt": e.created_at.to_rfc3339(),
        "timestamp": e.timestamp.map(Millis::to_rfc3339),
        "device": named(&e.door),
        "user": user,
        "domain": named(&e.domain),
        "access": named(&e.access),
        "type": e.kind,
    })
    .to_string()
}

/// A quarantined record's text as kept: whole when short, else its start, its length and
/// an FNV-1a fingerprint of the whole (so that records differing only past the start are
/// still told apart), at most [`MAX_QUARANTINE_RAW_BYTES`] in all.
fn bounded_raw(text: &str) -> String {
    if text.len() <= MAX_QUARANTINE_RAW_BYTES {
        return text.to_string();
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let tail = format!("…[{} bytes, fnv1a {hash:016x}]", text.len());
    let mut end = MAX_QUARANTINE_RAW_BYTES - tail.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{tail}", &text[..end])
}

/// Refuses a record whose dates lie outside [`SANE_FROM`]..[`SANE_UNTIL`].
fn sane(event: EventLog) -> Result<EventLog, String> {
    let in_range = |t: Millis| (SANE_FROM..SANE_UNTIL).contains(&t);
    if !in_range(event.created_at) {
        return Err(format!(
            "`createdAt` {} is outside 2000–2100",
            event.created_at.0
        ));
    }
    match event.timestamp {
        Some(t) if !in_range(t) => Err(format!("`timestamp` {} is outside 2000–2100", t.0)),
        _ => Ok(event),
    }
}

/// The usual record shape, borrowed from the body. Anything it cannot take (an id that is
/// a number, a door that is a string) fails it and the tolerant path reads the record.
#[derive(serde::Deserialize)]
struct WireEvent<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(rename = "createdAt", borrow, default)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    device: Option<WireNamed<'a>>,
    #[serde(borrow, default)]
    lock: Option<WireNamed<'a>>,
    #[serde(borrow, default)]
    door: Option<WireNamed<'a>>,
    #[serde(rename = "eventConfiguration", borrow, default)]
    event_configuration: Option<WireNamed<'a>>,
    #[serde(borrow, default)]
    domain: Option<WireNamed<'a>>,
    #[serde(borrow, default)]
    access: Option<WireNamed<'a>>,
    #[serde(borrow, default)]
    user: Option<WireUser<'a>>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct WireNamed<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    label: Option<Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct WireUser<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(rename = "firstName", borrow, default)]
    first_name: Option<Cow<'a, str>>,
    #[serde(rename = "lastName", borrow, default)]
    last_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "fullName", borrow, default)]
    full_name: Option<Cow<'a, str>>,
    #[serde(rename = "displayName", borrow, default)]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    email: Option<Cow<'a, str>>,
}

fn nonblank(s: Option<Cow<'_, str>>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).map(Cow::into_owned)
}

impl WireNamed<'_> {
    fn into_named(self) -> Option<Named> {
        let name = nonblank(self.name)
            .or_else(|| nonblank(self.title))
            .or_else(|| nonblank(self.label));
        let n = Named {
            id: self.id.map(Cow::into_owned),
            name,
        };
        (n.id.is_some() || n.name.is_some()).then_some(n)
    }
}

impl WireUser<'_> {
    fn into_person(self) -> Option<Person> {
        let full = match (nonblank(self.first_name), nonblank(self.last_name)) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (f, l) => f.or(l),
        };
        let name = full
            .or_else(|| nonblank(self.name))
            .or_else(|| nonblank(self.full_name))
            .or_else(|| nonblank(self.display_name))
            .or_else(|| nonblank(self.email));
        let p = Person {
            id: self.id.map(Cow::into_owned),
            name,
        };
        (p.id.is_some() || p.name.is_some()).then_some(p)
    }
}

impl WireEvent<'_> {
    /// `None` when the record needs the tolerant path (which also words the error).
    fn into_event(self, raw: &str) -> Option<EventLog> {
        let id = nonblank(self.id)?;
        let created_at = Millis::parse_rfc3339(self.created_at.as_deref()?)?;
        let door = [self.device, self.lock, self.door, self.event_configuration]
            .into_iter()
            .flatten()
            .find_map(WireNamed::into_named);
        Some(EventLog {
            id,
            created_at,
            timestamp: self.timestamp.as_deref().and_then(Millis::parse_rfc3339),
            door,
            user: self.user.and_then(WireUser::into_person),
            domain: self.domain.and_then(WireNamed::into_named),
            access: self.access.and_then(WireNamed::into_named),
            kind: nonblank(self.kind),
            raw: raw.to_string(),
        })
    }
}

/// Reads one record, bounded (see the module's documentation); the error is the reason it
/// was quarantined.
pub fn parse_record(record: &Value) -> Result<EventLog, String> {
    read_record(record).and_then(bounded)
}

fn read_record(record: &Value) -> Result<EventLog, String> {
    let Value::Object(map) = record else {
        return Err("record is not a JSON object".into());
    };
    let id = map
        .get("id")
        .and_then(id_string)
        .filter(|s| !s.trim().is_empty())
        .ok_or("record has no usable `id`")?;
    let created_at = match map.get("createdAt") {
        Some(Value::String(s)) => {
            Millis::parse_rfc3339(s).ok_or_else(|| format!("`createdAt` is not a date: {s:?}"))?
        }
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Millis)
            .ok_or("`createdAt` is not a whole number of milliseconds")?,
        _ => return Err("record has no `createdAt`".into()),
    };
    let timestamp = match map.get("timestamp") {
        Some(Value::String(s)) => Millis::parse_rfc3339(s),
        Some(Value::Number(n)) => n.as_i64().map(Millis),
        _ => None,
    };
    let door = DOOR_KEYS.iter().find_map(|k| map.get(*k).and_then(named));
    Ok(EventLog {
        id,
        created_at,
        timestamp,
        door,
        user: map.get("user").and_then(person),
        domain: map.get("domain").and_then(named),
        access: map.get("access").and_then(named),
        kind: map.get("type").and_then(text),
        raw: record.to_string(),
    })
}

fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn field(map: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| map.get(*k).and_then(text))
}

fn named(v: &Value) -> Option<Named> {
    match v {
        Value::Object(map) => {
            let n = Named {
                id: map.get("id").and_then(id_string),
                name: field(map, &["name", "title", "label"]),
            };
            (n.id.is_some() || n.name.is_some()).then_some(n)
        }
        // A bare id where an object was expected.
        Value::String(_) | Value::Number(_) => Some(Named {
            id: id_string(v),
            name: None,
        }),
        _ => None,
    }
}

fn person(v: &Value) -> Option<Person> {
    let Value::Object(map) = v else {
        return None;
    };
    let full = match (field(map, &["firstName"]), field(map, &["lastName"])) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (f, l) => f.or(l),
    };
    let name = full.or_else(|| field(map, &["name", "fullName", "displayName", "email"]));
    let p = Person {
        id: map.get("id").and_then(id_string),
        name,
    };
    (p.id.is_some() || p.name.is_some()).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
      "id": "Xy7Qp2LmZa",
      "timestamp": "2026-05-02T07:58:11.000Z",
      "createdAt": "2026-05-02T08:03:40.512Z",
      "domain": { "id": "Dm0000001a", "name": "Harbour Loft" },
      "device": { "id": "Dv0000001a", "name": "Front door" },
      "access": { "id": "RZglGYR2Je", "name": "Guest key" },
      "user":   { "id": "THC6P98RmM", "firstName": "Ann", "lastName": "Berg", "email": "ann@example.com" },
      "type": "unlock",
      "somethingNew": [1, 2, 3]
    }"#;

    #[test]
    fn reads_the_documented_shape_in_an_array_and_in_every_envelope() {
        let bare = format!("[{FULL}]");
        let page = parse_page(bare.as_bytes()).unwrap();
        assert_eq!(page.events.len(), 1);
        let e = &page.events[0];
        assert_eq!(e.id, "Xy7Qp2LmZa");
        assert_eq!(e.door_label(), "Front door");
        assert_eq!(e.user_label(), "Ann Berg");
        assert_eq!(e.report_delay_ms(), Some(5 * 60_000 + 29_512));
        for key in ["data", "results", "items", "eventLogs"] {
            let body = format!(r#"{{"total": 1, "{key}": [{FULL}]}}"#);
            assert_eq!(parse_page(body.as_bytes()).unwrap().events, page.events);
        }
    }

    #[test]
    fn finds_the_door_under_any_of_its_names() {
        for key in DOOR_KEYS {
            for label in ["name", "title"] {
                let body = format!(
                    r#"[{{"id":"a","createdAt":"2026-01-01T00:00:00Z","{key}":{{"id":"d1","{label}":"Gym"}}}}]"#
                );
                let page = parse_page(body.as_bytes()).unwrap();
                assert_eq!(page.events[0].door_label(), "Gym", "{key}/{label}");
            }
        }
    }

    #[test]
    fn the_staff_reference_is_the_user_id_else_the_name_else_the_access() {
        let e = &parse_page(format!("[{FULL}]").as_bytes()).unwrap().events[0];
        let r = |kind, value: &str| {
            Some(StaffRef {
                kind,
                value: value.into(),
            })
        };
        assert_eq!(e.staff_ref(), r(StaffKind::User, "THC6P98RmM"));
        let mut named = e.clone();
        named.user = Some(Person {
            id: Some("  ".into()),
            name: Some("Ann Berg".into()),
        });
        assert_eq!(named.staff_ref(), r(StaffKind::Name, "Ann Berg"));
        let mut scrubbed = e.clone();
        scrubbed.user = None;
        assert_eq!(scrubbed.staff_ref(), r(StaffKind::Access, "RZglGYR2Je"));
        scrubbed.access = None;
        assert_eq!(scrubbed.staff_ref(), None, "nobody to mark");
    }

    #[test]
    fn scrubbed_user_reads_as_someone() {
        for user in [r#","user":null"#, "", r#","user":{}"#] {
            let body = format!(r#"[{{"id":"a","createdAt":"2026-01-01T00:00:00+01:00"{user}}}]"#);
            let page = parse_page(body.as_bytes()).unwrap();
            assert_eq!(page.events[0].user_label(), "Someone");
            assert_eq!(page.events[0].door_label(), "Unknown door");
            assert_eq!(page.events[0].timestamp, None);
        }
    }

    #[test]
    fn bad_records_are_quarantined_and_the_rest_kept() {
        let body = br#"[
            {"id":"ok1","createdAt":"2026-01-01T00:00:00Z"},
            {"createdAt":"2026-01-01T00:00:00Z"},
            {"id":"bad-date","createdAt":"last tuesday"},
            42,
            {"id":"ok2","createdAt":"2026-01-01T00:00:01.5Z","timestamp":"garbage"}
        ]"#;
        let page = parse_page(body).unwrap();
        let ids: Vec<_> = page.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["ok1", "ok2"]);
        assert_eq!(page.quarantined.len(), 3);
        assert_eq!(page.quarantined[1].id.as_deref(), Some("bad-date"));
        assert!(page.quarantined[1].raw.contains("last tuesday"));
    }

    const MB: usize = 1024 * 1024;

    fn capped(name: &Option<String>) -> &str {
        let name = name.as_deref().unwrap();
        assert!(
            name.chars().count() <= MAX_NAME_CHARS,
            "{} chars",
            name.len()
        );
        assert!(name.ends_with('…'), "the cut shows");
        name
    }

    #[test]
    fn a_megabyte_name_is_stored_cut_and_its_raw_text_bounded() {
        let long = "x".repeat(MB);
        let wide = "é".repeat(MB / 2);
        // The usual shape (fast path) and a numeric id (tolerant path).
        for id in [r#""big""#, "12345"] {
            let body = format!(
                r#"[{{"id":{id},"createdAt":"2026-01-01T00:00:00.250Z",
                    "timestamp":"2026-01-01T00:00:00Z",
                    "device":{{"id":"d1","name":"{long}"}},
                    "domain":{{"id":"p1","name":"{wide}"}},
                    "access":{{"id":"a1","name":"{long}"}},
                    "user":{{"id":"u1","firstName":"{long}","lastName":"{long}"}},
                    "type":"{long}","extra":"{long}"}},
                   {{"id":"next","createdAt":"2026-01-01T00:00:01Z"}}]"#
            );
            let page = parse_page(body.as_bytes()).unwrap();
            assert!(page.quarantined.is_empty(), "{:?}", page.quarantined);
            let e = &page.events[0];
            assert_eq!(page.events[1].id, "next", "the rest of the page is read");
            let door = capped(&e.door.as_ref().unwrap().name);
            assert!(door.starts_with("xxx"));
            assert!(capped(&e.domain.as_ref().unwrap().name).starts_with("éé"));
            capped(&e.access.as_ref().unwrap().name);
            capped(&e.user.as_ref().unwrap().name);
            capped(&e.kind);
            assert_eq!(e.door_id(), Some("d1"));
            assert!(
                e.raw.len() <= MAX_RAW_BYTES,
                "raw kept: {} bytes",
                e.raw.len()
            );
            // What is kept reads back as the same event (the store rebuilds from it).
            let again = parse_record(&serde_json::from_str(&e.raw).unwrap()).unwrap();
            assert_eq!(
                EventLog {
                    raw: e.raw.clone(),
                    ..again
                },
                *e
            );
        }
    }

    #[test]
    fn a_megabyte_id_makes_the_record_unreadable_and_its_text_is_kept_bounded() {
        let long = "i".repeat(MB);
        let records = [
            format!(r#"{{"id":"{long}","createdAt":"2026-01-01T00:00:00Z"}}"#),
            format!(r#"{{"id":"{long}","createdAt":"2026-01-01T00:00:00Z","x":1}}"#),
            format!(
                r#"{{"id":"e1","createdAt":"2026-01-01T00:00:00Z","device":{{"id":"{long}"}}}}"#
            ),
            format!(r#"{{"id":"e2","createdAt":"2026-01-01T00:00:00Z","user":{{"id":"{long}"}}}}"#),
            format!(r#"{{"id":"e3","createdAt":"2026-01-01T00:00:00Z","domain":"{long}"}}"#),
            format!(
                r#"{{"id":"e4","createdAt":"2026-01-01T00:00:00Z","access":{{"id":"{long}"}}}}"#
            ),
            format!(r#"{{"id":"e5","createdAt":"{long}"}}"#),
            r#"{"id":"ok","createdAt":"2026-01-01T00:00:00Z"}"#.to_string(),
        ];
        let body = format!("[{}]", records.join(","));
        let page = parse_page(body.as_bytes()).unwrap();
        let ids: Vec<_> = page.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["ok"], "no over-long id is stored");
        assert_eq!(page.quarantined.len(), 7);
        assert_eq!(page.quarantined_at, [0, 1, 2, 3, 4, 5, 6]);
        for q in &page.quarantined {
            assert!(
                q.raw.len() <= MAX_QUARANTINE_RAW_BYTES,
                "{} bytes",
                q.raw.len()
            );
            assert!(
                q.reason.chars().count() <= MAX_REASON_CHARS,
                "{}",
                q.reason.len()
            );
            assert!(q.id.as_ref().is_none_or(|id| id.len() <= MAX_ID_BYTES));
        }
        assert_eq!(
            page.quarantined[0].id, None,
            "an over-long id is not kept either"
        );
        assert!(page.quarantined[0].reason.contains("bytes long"));
        assert_eq!(page.quarantined[2].id.as_deref(), Some("e1"));
        assert!(page.quarantined[2].reason.contains("device id"));
        assert!(page.quarantined[2].raw.starts_with(r#"{"id":"e1""#));
        // Two records alike in their first kilobytes stay two records.
        assert_ne!(page.quarantined[0].raw, page.quarantined[1].raw);
        assert_ne!(
            Record::Unreadable(&page.quarantined[0]).identity(),
            Record::Unreadable(&page.quarantined[1]).identity()
        );
    }

    #[test]
    fn ids_and_names_within_the_bounds_are_kept_whole() {
        let id = "i".repeat(MAX_ID_BYTES);
        let name = "é".repeat(MAX_NAME_CHARS);
        let body = format!(
            r#"[{{"id":"{id}","createdAt":"2026-01-01T00:00:00Z","device":{{"id":"{id}","name":"{name}"}}}}]"#
        );
        let page = parse_page(body.as_bytes()).unwrap();
        let e = &page.events[0];
        assert_eq!(
            (e.id.as_str(), e.door_label()),
            (id.as_str(), name.as_str())
        );
        assert_eq!(
            e.raw,
            body[1..body.len() - 1],
            "a record within bounds keeps its text"
        );
    }

    #[test]
    fn dates_outside_2000_to_2100_are_quarantined_with_a_reason() {
        let body = br#"[
            {"id":"ok","createdAt":"2026-01-01T00:00:00Z","timestamp":"2025-12-31T23:59:00Z"},
            {"id":"nanos","createdAt":1767225600000000000},
            {"id":"far","createdAt":"+292277-01-01T00:00:00Z"},
            {"id":"epoch","createdAt":"1970-01-01T00:00:00Z"},
            {"id":"ts","createdAt":"2026-01-01T00:00:00Z","timestamp":"2150-01-01T00:00:00Z"}
        ]"#;
        let page = parse_page(body).unwrap();
        assert_eq!(page.events.len(), 1);
        let reasons: Vec<_> = page.quarantined.iter().map(|q| q.reason.as_str()).collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[3].contains("`timestamp`"), "{reasons:?}");
        assert!(
            reasons
                .iter()
                .take(3)
                .all(|r| r.contains("`createdAt`") || r.contains("date"))
        );
        assert_eq!(page.quarantined_at, [1, 2, 3, 4]);
    }

    #[test]
    fn raw_is_the_exact_text_and_odd_types_take_the_tolerant_path() {
        let body = br#"[ {"id": 17, "createdAt": 1777708800000, "door": "D9"},
            {"id":"x", "createdAt":"2026-01-01T00:00:00Z",  "user": {"email": "a@b.c"}} ]"#;
        let page = parse_page(body).unwrap();
        assert_eq!(page.events.len(), 2);
        assert_eq!(page.events[0].id, "17");
        assert_eq!(page.events[0].door_label(), "D9");
        assert_eq!(
            page.events[1].raw,
            r#"{"id":"x", "createdAt":"2026-01-01T00:00:00Z",  "user": {"email": "a@b.c"}}"#
        );
        assert_eq!(page.events[1].user_label(), "a@b.c");
    }

    #[test]
    fn truncated_or_foreign_bodies_fail_the_page() {
        assert!(matches!(
            parse_page(br#"[{"id":"a","createdAt":"2026"#),
            Err(PageError::NotJson(_))
        ));
        assert_eq!(parse_page(br#"{"error":"nope"}"#), Err(PageError::NoList));
        assert_eq!(parse_page(b"\"hi\""), Err(PageError::NoList));
        assert!(parse_page(b"<html>").is_err());
    }

    #[test]
    fn a_byte_order_mark_and_white_space_are_read_past() {
        let json = r#"[{"id":"a","createdAt":"2026-01-01T00:00:00Z"}]"#;
        for body in [
            format!("\u{feff}{json}"),
            format!("\u{feff} \r\n{json}\n\n"),
            format!("\t {json} \r\n"),
        ] {
            let page = parse_page(body.as_bytes()).unwrap();
            assert_eq!(page.events.len(), 1, "{body:?}");
            assert_eq!(
                page.events[0].raw,
                r#"{"id":"a","createdAt":"2026-01-01T00:00:00Z"}"#
            );
        }
    }

    #[test]
    fn an_empty_or_null_body_is_an_error_never_an_empty_page() {
        for body in [&b""[..], b"   \r\n", b"\xEF\xBB\xBF", b"\xEF\xBB\xBF\n"] {
            assert_eq!(parse_page(body), Err(PageError::Empty), "{body:?}");
        }
        for body in [&b"null"[..], b" null\n", b"\xEF\xBB\xBFnull"] {
            assert_eq!(parse_page(body), Err(PageError::Null), "{body:?}");
        }
        assert_eq!(parse_page(b"[]").map(|p| p.events.len()), Ok(0));
    }

    #[test]
    fn an_unreadable_answer_is_told_in_the_users_language_and_logged_in_english() {
        use crate::poller::SyncFailure;
        use crate::settings::Language;
        let failure = SyncFailure::BadBody(PageError::NotJson("EOF at line 1".into()));
        assert_eq!(
            failure.message(Language::En),
            "Parakey sent an answer Doorpost could not read: the response is not valid JSON \
             (EOF at line 1); it may have been cut off"
        );
        assert_eq!(
            failure.message(Language::Nb),
            "Parakey sendte et svar Doorpost ikke kunne lese: svaret er ikke gyldig JSON \
             (EOF at line 1); det kan ha blitt kuttet av"
        );
        assert_eq!(
            SyncFailure::BadBody(PageError::Empty).message(Language::Nb),
            "Parakey sendte et svar Doorpost ikke kunne lese: svaret var tomt"
        );
        // The poll log keeps what it kept before.
        assert_eq!(
            SyncFailure::BadBody(PageError::Null).to_string(),
            "Parakey sent an unreadable answer: the response was `null`"
        );
    }
}
