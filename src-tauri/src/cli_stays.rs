//! `doorpost feeds list|add|check|remove` and `doorpost stays`: a place's booking feeds
//! and the stays read from them (issue 16), without a display.
//!
//! A feed's link is read from standard input only (never an argument: arguments show in
//! `ps`), not echoed on a terminal, and fetched and read before anything is stored; it then
//! goes to the keychain, never to the database or the output.

use std::io::IsTerminal;
use std::process::ExitCode;

use chrono::TimeZone;
use clap::{Subcommand, ValueEnum};
use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{AppError, ErrorCode, FeedEntries, NewFeed, SecretFeedUrl, StayView};
use doorpost_core::settings::Language;
use doorpost_core::text::terminal_safe;
use doorpost_core::time::Millis;
use doorpost_engine::feeds::book::{self, FeedBook};
use doorpost_engine::feeds::{HttpFeeds, KeychainLinks};
use doorpost_engine::http::wall_now;
use doorpost_engine::stay_rules::place_rules;
use doorpost_engine::store::{PlaceRow, Store};

use crate::cli::{fail, language, open_store, parse_time, tell_running};

#[derive(Subcommand)]
pub enum FeedsAction {
    /// Every place's feeds: label, entries, stays found, and what the last fetch said.
    List,
    /// Add a feed; its link is read from standard input, never from an argument.
    Add {
        place: String,
        label: String,
        /// What entries are where the feed cannot tell (Booking.com).
        #[arg(long, value_enum, default_value = "bookings")]
        entries: Entries,
        /// Its blocked nights count as vacant.
        #[arg(long)]
        blocks_vacant: bool,
    },
    /// Fetch a feed now.
    Check { place: String, label: String },
    /// Remove a feed and its link.
    Remove { place: String, label: String },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Entries {
    Bookings,
    Blocks,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StaysFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct StaysArgs {
    /// Only this place (its name).
    #[arg(long)]
    place: Option<String>,
    /// Stays not ended before this day (2026-05-02) or time; a week ago by default.
    #[arg(long, value_parser = parse_time)]
    from: Option<Millis>,
    #[arg(long, value_enum, default_value = "text")]
    format: StaysFormat,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

fn place(store: &Store, name: &str, lang: Language) -> Result<PlaceRow, AppError> {
    store
        .places()
        .map_err(internal)?
        .into_iter()
        .find(|p| p.id == name || p.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            let msg = i18n::t(lang, Msg::NoSuchPlace, &[("name", name)]);
            AppError::new(ErrorCode::InvalidSettings, msg)
        })
}

fn exit(result: Result<(), AppError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.code == ErrorCode::InvalidSettings => fail(&e.message, 2),
        Err(e) => fail(&e.message, 1),
    }
}

pub fn feeds(action: FeedsAction) -> ExitCode {
    let mut store = match open_store() {
        Ok(s) => s,
        Err(e) => return fail(&e, 1),
    };
    let settings = store.load_settings().unwrap_or_default();
    let lang = language(&settings);
    let install = match store.install_id() {
        Ok(id) => id,
        Err(e) => return fail(&e.to_string(), 1),
    };
    let links = KeychainLinks {
        keychains: crate::app_env::keychains(),
        install,
    };
    let source = match HttpFeeds::new() {
        Ok(s) => s,
        Err(e) => return fail(&e, 1),
    };
    let book = FeedBook {
        links: &links,
        source: &source,
        lang,
    };
    let zone = |store: &Store, place_id: &str| place_rules(store, &settings, place_id).zone;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string(), 1),
    };
    exit(match action {
        FeedsAction::List => list(&store, lang),
        FeedsAction::Add {
            place: p,
            label,
            entries,
            blocks_vacant,
        } => place(&store, &p, lang).and_then(|row| {
            let entries = match entries {
                Entries::Bookings => FeedEntries::Bookings,
                Entries::Blocks => FeedEntries::Blocks,
            };
            let zone = zone(&store, &row.id);
            runtime.block_on(add(
                &book,
                &mut store,
                row,
                label,
                entries,
                blocks_vacant,
                zone,
            ))
        }),
        FeedsAction::Check { place: p, label } => place(&store, &p, lang).and_then(|row| {
            let feed = book.find(&store, &row.id, &label)?;
            let zone = zone(&store, &row.id);
            let (feed, _) = runtime.block_on(book.check(&mut store, &feed, zone, wall_now()))?;
            println!("{}", status(&feed, lang));
            tell_running(lang);
            Ok(())
        }),
        FeedsAction::Remove { place: p, label } => place(&store, &p, lang).and_then(|row| {
            let feed = book.find(&store, &row.id, &label)?;
            let zone = zone(&store, &row.id);
            book.remove(&mut store, &feed, zone, wall_now())?;
            let msg = i18n::t(lang, Msg::FeedRemoved, &[("label", &feed.label)]);
            eprintln!("{}", terminal_safe(&msg));
            tell_running(lang);
            Ok(())
        }),
    })
}

/// What a feed's last fetch said: ok (or stale), or the problem in plain words.
fn status(feed: &doorpost_engine::store::FeedRow, lang: Language) -> String {
    let view = book::view(feed, wall_now());
    match view.problem {
        Some(p) => book::problem_words(lang, p, view.http_status),
        None if view.stale => i18n::t(lang, Msg::FeedStale, &[]),
        None => i18n::t(lang, Msg::FeedOk, &[]),
    }
}

fn list(store: &Store, lang: Language) -> Result<(), AppError> {
    let places = store.places().map_err(internal)?;
    let feeds = store.feeds(None).map_err(internal)?;
    if feeds.is_empty() {
        eprintln!("{}", i18n::t(lang, Msg::CliNoFeeds, &[]));
    }
    for feed in feeds {
        let place = places
            .iter()
            .find(|p| p.id == feed.place_id)
            .map_or(feed.place_id.as_str(), |p| p.name.as_str());
        let entries = match feed.entries {
            FeedEntries::Bookings => "bookings",
            FeedEntries::Blocks => "blocks",
        };
        println!(
            "{}\t{}\t{entries}\t{}\t{}",
            terminal_safe(place),
            terminal_safe(&feed.label),
            feed.stays_found,
            status(&feed, lang)
        );
    }
    Ok(())
}

async fn add(
    book: &FeedBook<'_>,
    store: &mut Store,
    place: PlaceRow,
    label: String,
    entries: FeedEntries,
    blocks_vacant: bool,
    zone: chrono_tz::Tz,
) -> Result<(), AppError> {
    let lang = book.lang;
    // The label is checked before the link is asked for.
    book::label(store, &place.id, &label, lang)?;
    let prompt = std::io::stdin()
        .is_terminal()
        .then(|| i18n::t(lang, Msg::FeedFromStdin, &[]));
    let url = doorpost_engine::process::read_secret_line(prompt.as_deref()).unwrap_or_default();
    let new = NewFeed {
        place_id: place.id,
        label,
        url: SecretFeedUrl::new(url.trim()),
        entries,
        blocks_vacant,
    };
    let row = book.add(store, &new, zone, wall_now()).await?;
    let count = row.stays_found.to_string();
    let msg = i18n::t(
        lang,
        Msg::FeedAdded,
        &[("label", &row.label), ("count", &count)],
    );
    eprintln!("{}", terminal_safe(&msg));
    tell_running(lang);
    Ok(())
}

pub fn stays(args: StaysArgs) -> ExitCode {
    let store = match open_store() {
        Ok(s) => s,
        Err(e) => return fail(&e, 1),
    };
    let settings = store.load_settings().unwrap_or_default();
    let lang = language(&settings);
    let places = store.places().unwrap_or_default();
    let place_id = match &args.place {
        Some(p) => match place(&store, p, lang) {
            Ok(row) => Some(row.id),
            Err(e) => return fail(&e.message, 2),
        },
        None => None,
    };
    let from = args
        .from
        .unwrap_or_else(|| wall_now().minus(7 * Millis::DAY));
    let stays = match doorpost_engine::hub::list_stays(
        &store,
        &settings,
        &places,
        place_id.as_deref(),
        from,
    ) {
        Ok(s) => s,
        Err(e) => return fail(&e.message, 1),
    };
    let zone = |s: &StayView| place_rules(&store, &settings, &s.place_id).zone;
    if stays.is_empty() && matches!(args.format, StaysFormat::Text) {
        eprintln!("{}", i18n::t(lang, Msg::CliNoStays, &[]));
    }
    match args.format {
        StaysFormat::Json => {
            let rows: Vec<serde_json::Value> = stays.iter().map(|s| json(s, zone(s))).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())
            );
        }
        StaysFormat::Text => {
            for s in &stays {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    terminal_safe(&s.place_name),
                    local(s.check_in, zone(s)),
                    local(s.check_out, zone(s)),
                    terminal_safe(&s.summary),
                    terminal_safe(&s.sources.join(", "))
                );
            }
        }
    }
    ExitCode::SUCCESS
}

/// An instant in RFC 3339 with the place's offset.
fn local(ms: i64, zone: chrono_tz::Tz) -> String {
    zone.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default()
}

fn json(s: &StayView, zone: chrono_tz::Tz) -> serde_json::Value {
    serde_json::json!({
        "place": terminal_safe(&s.place_name),
        "checkIn": local(s.check_in, zone),
        "checkOut": local(s.check_out, zone),
        "blocked": s.blocked,
        "cancelled": s.cancelled,
        "sources": s.sources.iter().map(|l| terminal_safe(l)).collect::<Vec<_>>(),
        "summary": terminal_safe(&s.summary),
        "guestName": s.guest_name.as_deref().map(terminal_safe),
        "reservationCode": s.reservation_code.as_deref().map(terminal_safe),
        "arrivedAt": s.arrived_at.map(|t| local(t, zone)),
        "arrivedLate": s.arrived_late,
        "noShow": s.no_show,
    })
}
