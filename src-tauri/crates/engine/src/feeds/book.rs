//! A place's feeds as the hub and `doorpost feeds` change them: added only once their
//! calendar reads, fetched again with their validators, removed with their link, and
//! merged into the place's stays after every change.
//!
//! What a fetch means ([`judge`]): a calendar read is the new last good one, except a
//! calendar without stays where the kept one had some, which is believed only when the
//! next fetch says so too (a feed that hiccups empty must not cancel every stay); a 304
//! keeps the last good one; any failure keeps it and says why.

use chrono::NaiveDate;
use chrono_tz::Tz;
use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{
    AppError, ErrorCode, FeedEntries, FeedProblem, FeedView, NewFeed, StayView,
};
use doorpost_core::settings::{FieldError, Language, Problem};
use doorpost_core::time::Millis;
use doorpost_stays::{EntryKind, FeedError, FeedOptions, PlaceRules, Stay, StayTime};

use super::{
    FeedLink, FeedLinks, FeedSource, FetchError, Fetched, LinkError, MAX_LABEL, STALE_AFTER_MS,
    Validators,
};
use crate::store::{
    FeedRow, FetchRecord, Merged, NewFeedRow, StayRow, Store, StoreError, Unlisted,
};

/// The sentence for a feed's problem.
pub fn problem_words(lang: Language, problem: FeedProblem, http_status: Option<u16>) -> String {
    let msg = match problem {
        FeedProblem::Network => Msg::FeedNetwork,
        FeedProblem::Timeout => Msg::FeedTimeout,
        FeedProblem::Html => Msg::FeedHtml,
        FeedProblem::Unauthorized => Msg::FeedUnauthorized,
        FeedProblem::NotFound => Msg::FeedNotFound,
        FeedProblem::Status => Msg::FeedStatus,
        FeedProblem::TooLarge => Msg::FeedTooLarge,
        FeedProblem::NotCalendar => Msg::FeedNotCalendar,
        FeedProblem::Malformed => Msg::FeedMalformed,
        FeedProblem::Insecure => Msg::FeedInsecure,
    };
    let status = http_status.map(|s| s.to_string()).unwrap_or_default();
    i18n::t(lang, msg, &[("status", &status)])
}

/// How a feed's entries are read.
pub fn options(label: &str, entries: FeedEntries, blocks_vacant: bool) -> FeedOptions {
    FeedOptions {
        label: label.to_owned(),
        ambiguous: match entries {
            FeedEntries::Bookings => EntryKind::Booking,
            FeedEntries::Blocks => EntryKind::Block,
        },
        blocks_vacant,
    }
}

fn row_options(row: &FeedRow) -> FeedOptions {
    options(&row.label, row.entries, row.blocks_vacant)
}

/// A fetch read.
#[derive(Debug, Clone)]
pub enum Reading {
    Calendar {
        text: String,
        etag: Option<String>,
        last_modified: Option<String>,
        stays: Vec<Stay>,
    },
    NotModified,
}

fn parse_problem(e: FeedError) -> FetchError {
    FetchError::new(match e {
        FeedError::Html => FeedProblem::Html,
        FeedError::Empty | FeedError::NotCalendar => FeedProblem::NotCalendar,
        FeedError::Malformed(_) => FeedProblem::Malformed,
    })
}

/// Fetches a calendar and reads it.
pub async fn read(
    source: &dyn FeedSource,
    link: &FeedLink,
    validators: &Validators,
    options: &FeedOptions,
    zone: Tz,
) -> Result<Reading, FetchError> {
    match source.fetch(link, validators).await? {
        Fetched::NotModified => Ok(Reading::NotModified),
        Fetched::Calendar {
            text,
            etag,
            last_modified,
        } => {
            let parsed = doorpost_stays::parse_feed(&text, options, zone).map_err(parse_problem)?;
            Ok(Reading::Calendar {
                text,
                etag,
                last_modified,
                stays: parsed.stays,
            })
        }
    }
}

/// What a fetch of a stored feed leaves behind (see the module docs).
pub fn judge<'a>(row: &FeedRow, reading: &'a Result<Reading, FetchError>) -> FetchRecord<'a> {
    match reading {
        Err(e) => FetchRecord::Failed {
            problem: e.problem,
            http_status: e.http_status,
        },
        Ok(Reading::NotModified) if row.body.is_some() => FetchRecord::NotModified,
        // A 304 to a request without a kept calendar: nothing to keep.
        Ok(Reading::NotModified) => FetchRecord::Failed {
            problem: FeedProblem::Status,
            http_status: Some(304),
        },
        Ok(Reading::Calendar { stays, .. })
            if stays.is_empty() && row.stays_found > 0 && row.empty_answers < 1 =>
        {
            FetchRecord::EmptyNotBelieved
        }
        Ok(Reading::Calendar {
            text,
            etag,
            last_modified,
            stays,
        }) => FetchRecord::Good {
            body: text,
            etag: etag.as_deref(),
            last_modified: last_modified.as_deref(),
            stays_found: u32::try_from(stays.len()).unwrap_or(u32::MAX),
        },
    }
}

/// Fetches one stored feed again and records the outcome; whether its calendar changed.
/// A feed whose link the keychain does not hold is left as it is.
pub async fn refresh(
    store: &mut Store,
    source: &dyn FeedSource,
    link: &FeedLink,
    row: &FeedRow,
    zone: Tz,
    now: Millis,
) -> Result<bool, StoreError> {
    let validators = Validators {
        etag: row.etag.clone(),
        last_modified: row.last_modified.clone(),
    };
    let reading = read(source, link, &validators, &row_options(row), zone).await;
    let record = judge(row, &reading);
    let changed =
        matches!(record, FetchRecord::Good { body, .. } if Some(body) != row.body.as_deref());
    if let FetchRecord::Failed { problem, .. } = &record {
        tracing::info!(place = %row.place_id, feed = %row.label, ?problem, "a booking feed failed; its last good calendar is kept");
    }
    store.record_fetch(&row.place_id, &row.label, &record, now)?;
    Ok(changed)
}

/// Merges a place's feeds' last good calendars into its stays.
pub fn merge_place(
    store: &mut Store,
    place_id: &str,
    zone: Tz,
    unlisted: Unlisted,
    now: Millis,
) -> Result<Merged, StoreError> {
    let calendars: Vec<Vec<Stay>> = store
        .feeds(Some(place_id))?
        .iter()
        .filter_map(|row| {
            let body = row.body.as_deref()?;
            doorpost_stays::parse_feed(body, &row_options(row), zone)
                .ok()
                .map(|p| p.stays)
        })
        .collect();
    let merged = doorpost_stays::merge_feeds(calendars, zone);
    store.merge_stays(place_id, &merged, unlisted, now)
}

/// The place's date now.
pub fn today(zone: Tz, now: Millis) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(now.0)
        .unwrap_or_default()
        .with_timezone(&zone)
        .date_naive()
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

fn field_error(lang: Language, field: &str, problem: Problem, msg: String) -> AppError {
    let _ = lang;
    let mut err = AppError::new(ErrorCode::InvalidSettings, msg.clone());
    err.fields.push(FieldError {
        field: field.into(),
        problem,
        message: msg,
    });
    err
}

/// A label as stored: trimmed, without control characters, 1 to [`MAX_LABEL`] characters,
/// not another feed's of the place (any case).
pub fn label(store: &Store, place_id: &str, raw: &str, lang: Language) -> Result<String, AppError> {
    let label: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        let max = MAX_LABEL.to_string();
        let msg = i18n::t(lang, Msg::FeedLabelInvalid, &[("max", &max)]);
        let problem = Problem::NameLength {
            max: MAX_LABEL as u32,
        };
        return Err(field_error(lang, "label", problem, msg));
    }
    let taken = store
        .feeds(Some(place_id))
        .map_err(internal)?
        .iter()
        .any(|f| f.label.eq_ignore_ascii_case(&label));
    if taken {
        let msg = i18n::t(lang, Msg::FeedExists, &[("label", &label)]);
        return Err(field_error(lang, "label", Problem::NameTaken, msg));
    }
    Ok(label)
}

/// A link as the host pasted it, checked.
pub fn link(raw: &str, lang: Language) -> Result<FeedLink, AppError> {
    FeedLink::parse(raw).map_err(|e| {
        let msg = match e {
            LinkError::Invalid => i18n::t(lang, Msg::FeedLinkInvalid, &[]),
            LinkError::Insecure => problem_words(lang, FeedProblem::Insecure, None),
        };
        field_error(lang, "url", Problem::BadAddress, msg)
    })
}

/// The tools a change of feeds needs.
pub struct FeedBook<'a> {
    pub links: &'a dyn FeedLinks,
    pub source: &'a dyn FeedSource,
    pub lang: Language,
}

impl FeedBook<'_> {
    /// Adds a feed: its link checked, its calendar fetched and read, then the link into
    /// the keychain and the feed into the store; nothing is kept when any step fails.
    pub async fn add(
        &self,
        store: &mut Store,
        new: &NewFeed,
        zone: Tz,
        now: Millis,
    ) -> Result<FeedRow, AppError> {
        let lang = self.lang;
        let label = label(store, &new.place_id, &new.label, lang)?;
        let link = link(new.url.expose(), lang)?;
        let options = options(&label, new.entries, new.blocks_vacant);
        let reading = read(self.source, &link, &Validators::default(), &options, zone).await;
        let (text, etag, last_modified, stays) = match reading {
            Ok(Reading::Calendar {
                text,
                etag,
                last_modified,
                stays,
            }) => (text, etag, last_modified, stays),
            Ok(Reading::NotModified) => return Err(fetch_error(lang, FetchError::status(304))),
            Err(e) => return Err(fetch_error(lang, e)),
        };
        self.links
            .set(&new.place_id, &label, &link)
            .map_err(|e| keychain_error(lang, &e))?;
        let row = NewFeedRow {
            place_id: &new.place_id,
            label: &label,
            entries: new.entries,
            blocks_vacant: new.blocks_vacant,
            body: &text,
            etag: etag.as_deref(),
            last_modified: last_modified.as_deref(),
            stays_found: u32::try_from(stays.len()).unwrap_or(u32::MAX),
        };
        match store.add_feed(&row, now) {
            Ok(true) => {}
            outcome => {
                let _ = self.links.clear(&new.place_id, &label);
                outcome.map_err(internal)?;
                let msg = i18n::t(lang, Msg::FeedExists, &[("label", &label)]);
                return Err(field_error(lang, "label", Problem::NameTaken, msg));
            }
        }
        merge_place(store, &new.place_id, zone, Unlisted::Dropped, now).map_err(internal)?;
        store
            .feed(&new.place_id, &label)
            .map_err(internal)?
            .ok_or_else(|| internal("the feed just added is not stored"))
    }

    /// The stored feed of this label (any case).
    pub fn find(&self, store: &Store, place_id: &str, label: &str) -> Result<FeedRow, AppError> {
        store
            .feeds(Some(place_id))
            .map_err(internal)?
            .into_iter()
            .find(|f| f.label == label || f.label.eq_ignore_ascii_case(label.trim()))
            .ok_or_else(|| {
                let msg = i18n::t(self.lang, Msg::NoSuchFeed, &[("label", label)]);
                AppError::new(ErrorCode::InvalidSettings, msg)
            })
    }

    /// Fetches a feed now; answers it as stored then. Whether the stays changed too.
    pub async fn check(
        &self,
        store: &mut Store,
        row: &FeedRow,
        zone: Tz,
        now: Millis,
    ) -> Result<(FeedRow, bool), AppError> {
        let link = self
            .links
            .get(&row.place_id, &row.label)
            .map_err(|e| keychain_error(self.lang, &e))?
            .ok_or_else(|| keychain_error(self.lang, &"the feed's link is not in the keychain"))?;
        let changed = refresh(store, self.source, &link, row, zone, now)
            .await
            .map_err(internal)?;
        let merged = match changed {
            true => merge_place(store, &row.place_id, zone, Unlisted::Dropped, now)
                .map_err(internal)?
                .any(),
            false => false,
        };
        let row = store
            .feed(&row.place_id, &row.label)
            .map_err(internal)?
            .ok_or_else(|| internal("the feed is gone"))?;
        Ok((row, merged))
    }

    /// Removes a feed and its link; its stays not begun go with it.
    pub fn remove(
        &self,
        store: &mut Store,
        row: &FeedRow,
        zone: Tz,
        now: Millis,
    ) -> Result<(), AppError> {
        store
            .remove_feed(&row.place_id, &row.label)
            .map_err(internal)?;
        if let Err(e) = self.links.clear(&row.place_id, &row.label) {
            tracing::warn!(place = %row.place_id, feed = %row.label, "a removed feed's link could not be deleted from the keychain: {e}");
        }
        let today = today(zone, now);
        merge_place(
            store,
            &row.place_id,
            zone,
            Unlisted::FeedRemoved { today },
            now,
        )
        .map_err(internal)?;
        Ok(())
    }
}

fn fetch_error(lang: Language, e: FetchError) -> AppError {
    let msg = problem_words(lang, e.problem, e.http_status);
    match e.problem {
        FeedProblem::Network | FeedProblem::Timeout => AppError::new(ErrorCode::Network, msg),
        _ => field_error(lang, "url", Problem::Refused, msg),
    }
}

fn keychain_error(lang: Language, e: &dyn std::fmt::Display) -> AppError {
    let message = i18n::t(lang, Msg::KeychainUnavailable, &[]);
    AppError::new(ErrorCode::KeychainUnavailable, format!("{message} ({e})"))
}

/// A feed as the window and the CLI show it.
pub fn view(row: &FeedRow, now: Millis) -> FeedView {
    FeedView {
        place_id: row.place_id.clone(),
        label: row.label.clone(),
        entries: row.entries,
        blocks_vacant: row.blocks_vacant,
        fetched_at: row.fetched_at.map(|t| t.0),
        ok_at: row.ok_at.map(|t| t.0),
        stays_found: row.stays_found,
        problem: row.problem,
        http_status: row.http_status,
        stale: row.ok_at.is_none_or(|t| now.since(t) > STALE_AFTER_MS),
    }
}

/// A stay's check-in and check-out: an all-day stay's with the place's times.
pub fn stay_times(time: &StayTime, rules: &PlaceRules) -> (i64, i64) {
    match *time {
        StayTime::Dates {
            check_in,
            check_out,
        } => {
            let at = |d: NaiveDate, t| {
                doorpost_stays::feed::local_instant(d.and_time(t), rules.zone)
                    .map_or(0, |i| i.timestamp_millis())
            };
            (at(check_in, rules.check_in), at(check_out, rules.check_out))
        }
        StayTime::Times { start, end } => (start.timestamp_millis(), end.timestamp_millis()),
    }
}

/// A stored stay as the window and the CLI show it.
pub fn stay_view(row: &StayRow, place_name: &str, rules: &PlaceRules) -> StayView {
    let (check_in, check_out) = stay_times(&row.time, rules);
    StayView {
        id: row.id,
        place_id: row.place_id.clone(),
        place_name: place_name.to_owned(),
        check_in,
        check_out,
        blocked: row.blocked,
        sources: row.sources.clone(),
        summary: row.summary.clone(),
        guest_name: row.guest_name.clone(),
        reservation_code: row.reservation_code.clone(),
        phone_last4: row.phone_last4.clone(),
        arrived_at: row.arrived_at.map(|t| t.0),
        arrived_late: row.arrived_late,
        no_show: row.no_show_at.is_some() && row.arrived_at.is_none(),
        cancelled: row.dropped_at.is_some_and(|d| d.0 < check_in),
    }
}
