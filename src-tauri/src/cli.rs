//! The command line, declared once with `clap` (parsing, `--help` on every subcommand,
//! errors and shell completions all come from it).
//!
//! `doorpost [--hidden] [--demo]` starts the app. Everything else works without a display:
//! `refresh`, `export`, `doctor`, `config list|get|set|unset` (`--place NAME`: a place's
//! own values), `places list|add|remove`, `feeds list|add|check|remove`, `stays` (in
//! `cli_stays.rs`), `staff list|add|remove` (in `cli_staff.rs`), `completions`. Settings
//! and places changed here are stored in the history database
//! (through the window's own validation) and the running Doorpost is told to apply them at
//! once over the control socket. Messages follow the language setting, else the system's.
//! Exit codes: 0 done, 1 failed, 2 a bad argument or value (nothing changed).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use doorpost_core::config::{self, DoorName};
use doorpost_core::i18n::{self, Msg, SystemLocale};
use doorpost_core::ipc::{HistoryQueryView, NewPlace, NotificationView};
use doorpost_core::settings::{Language, Settings};
use doorpost_core::text::terminal_safe;
use doorpost_core::time::Millis;
use doorpost_engine::hub::{self, DB_FILE, PlaceBook, views};
use doorpost_engine::store::{HistoryQuery, Store};

use crate::{control, paths};

#[cfg(not(feature = "testing"))]
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("DOORPOST_COMMIT"),
    ")"
);
/// A build with the test hooks says so wherever it is asked, so it is never taken for a
/// release (the package test installs one).
#[cfg(feature = "testing")]
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("DOORPOST_COMMIT"),
    "; testing build, not for use)"
);

/// Doorpost: tells you the moment a guest unlocks a Parakey door.
#[derive(Parser)]
#[command(name = "doorpost", version = VERSION, after_help = ENVIRONMENT)]
pub struct Cli {
    /// Start in the tray only, without opening the window.
    #[arg(long)]
    hidden: bool,
    /// Start the demo: a simulated place, in its own data folder.
    #[arg(long)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

const ENVIRONMENT: &str = "\
Environment:
  DOORPOST_TOKEN     the first place's Parakey token, for this process only (never stored)
  DOORPOST_API_URL   API base URL (default https://api.parakey.co)
  DOORPOST_DATA_DIR  data directory";

#[derive(Subcommand)]
enum Command {
    /// Ask the running Doorpost to check Parakey now.
    Refresh,
    /// Print the history as CSV or JSON.
    Export(ExportArgs),
    /// Check what Doorpost needs to alert you.
    Doctor,
    /// Read and change settings (`config list` shows every key).
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// List, add and remove places (one Parakey token each).
    Places {
        #[command(subcommand)]
        action: PlacesAction,
    },
    /// List, add, check and remove a place's booking feeds (their links from standard input).
    Feeds {
        #[command(subcommand)]
        action: crate::cli_stays::FeedsAction,
    },
    /// The stays the booking feeds list.
    Stays(crate::cli_stays::StaysArgs),
    /// List, add and remove staff: their unlocks are never a guest's arrival.
    Staff {
        #[command(subcommand)]
        action: crate::cli_staff::StaffAction,
    },
    /// Print a completion script for a shell.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Every setting, one `key = value` a line.
    List {
        /// The settings a place may hold its own value of, as they are at this place.
        #[arg(long)]
        place: Option<String>,
    },
    /// One setting's value.
    Get {
        key: String,
        /// Its value at this place.
        #[arg(long)]
        place: Option<String>,
    },
    /// Change one setting (the running Doorpost applies it at once).
    Set {
        key: String,
        value: String,
        /// This place's own value (only the stays.* and staff.* keys).
        #[arg(long)]
        place: Option<String>,
    },
    /// A place's setting follows the setting for every place again.
    Unset {
        key: String,
        #[arg(long)]
        place: String,
    },
}

#[derive(Subcommand)]
enum PlacesAction {
    /// Every place, with its address and whether its token is saved.
    List,
    /// Add a place; its token is read from standard input, never from an argument.
    Add {
        name: String,
        /// Serve this place from another address than Parakey's (same rules as
        /// DOORPOST_API_URL: https, or http on this machine).
        #[arg(long)]
        api_url: Option<String>,
    },
    /// Remove a place and its token.
    Remove {
        name: String,
        /// Delete its history too.
        #[arg(long)]
        delete_history: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[derive(clap::Args)]
struct ExportArgs {
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// From this day (2026-05-02, local midnight) or time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    since: Option<Millis>,
    /// Until this day or time.
    #[arg(long, value_parser = parse_time)]
    until: Option<Millis>,
    /// Only this door (its name or id).
    #[arg(long)]
    door: Option<String>,
    /// Only this place (its name).
    #[arg(long)]
    place: Option<String>,
    /// The demo's history.
    #[arg(long)]
    demo: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => crate::app::run(cli.hidden, cli.demo),
        Some(Command::Refresh) => refresh(),
        Some(Command::Export(a)) => export(a),
        Some(Command::Doctor) => crate::doctor::run(),
        Some(Command::Config { action }) => configure(action),
        Some(Command::Places { action }) => places(action),
        Some(Command::Feeds { action }) => crate::cli_stays::feeds(action),
        Some(Command::Stays(args)) => crate::cli_stays::stays(args),
        Some(Command::Staff { action }) => crate::cli_staff::run(action),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "doorpost",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
    }
}

/// `2026-05-02` (local midnight) or any RFC 3339 time.
pub(crate) fn parse_time(s: &str) -> Result<Millis, String> {
    if let Some(t) = Millis::parse_rfc3339(s) {
        return Ok(t);
    }
    use chrono::{Local, NaiveDate, NaiveTime};
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| {
            d.and_time(NaiveTime::MIN)
                .and_local_timezone(Local)
                .earliest()
        })
        .map(|t| Millis(t.timestamp_millis()))
        .ok_or(format!(
            "{s:?} is not a date (use 2026-05-02 or 2026-05-02T08:00:00Z)"
        ))
}

/// The account's history, created when absent (settings may be set before a first start).
pub(crate) fn open_store() -> Result<Store, String> {
    let dir = paths::account_dir();
    doorpost_engine::private_files::claim_data_dir(&dir).map_err(|e| e.to_string())?;
    Store::open(&dir.join(DB_FILE)).map_err(|e| e.to_string())
}

/// The language messages are in: the setting, else the system's.
pub(crate) fn language(settings: &Settings) -> Language {
    let system = SystemLocale::from_env(|k| std::env::var(k).ok());
    i18n::resolve(settings.language, &system, 0).lang
}

fn stored_language() -> Language {
    let settings = open_store()
        .ok()
        .and_then(|s| s.load_settings().ok())
        .unwrap_or_default();
    language(&settings)
}

/// Says why it failed; names in the message are the server's or the user's, so escape
/// sequences and direction overrides are taken out first (as from every line printed).
pub(crate) fn fail(message: &str, code: u8) -> ExitCode {
    eprintln!("doorpost: {}", terminal_safe(message));
    ExitCode::from(code)
}

fn refresh() -> ExitCode {
    let lang = stored_language();
    match control::send(&paths::control_socket(), "refresh") {
        control::Reply::Ok => {
            println!("{}", i18n::t(lang, Msg::CliChecking, &[]));
            ExitCode::SUCCESS
        }
        control::Reply::Refused(why) => {
            fail(&i18n::t(lang, Msg::CliDidNotCheck, &[("why", &why)]), 1)
        }
        control::Reply::NotRunning => fail(&i18n::t(lang, Msg::CliNotRunning, &[]), 1),
    }
}

/// Tells the running Doorpost to apply what changed; says which happened.
pub(crate) fn tell_running(lang: Language) {
    let msg = match control::send(&paths::control_socket(), "reload") {
        control::Reply::Ok => Msg::AppliedNow,
        control::Reply::Refused(why) => {
            eprintln!("doorpost: {}", terminal_safe(&why));
            Msg::StoredForNextStart
        }
        control::Reply::NotRunning => Msg::StoredForNextStart,
    };
    eprintln!("{}", i18n::t(lang, msg, &[]));
}

fn door_names(store: &Store) -> Vec<DoorName> {
    store
        .doors()
        .unwrap_or_default()
        .into_iter()
        .map(|d| DoorName {
            name: d.name.clone().unwrap_or_else(|| d.id.clone()),
            id: d.id,
        })
        .collect()
}

fn configure(action: ConfigAction) -> ExitCode {
    let mut store = match open_store() {
        Ok(s) => s,
        Err(e) => return fail(&e, 1),
    };
    let settings = store.load_settings().unwrap_or_default();
    let lang = language(&settings);
    let doors = door_names(&store);
    let place = match &action {
        ConfigAction::List { place: Some(name) }
        | ConfigAction::Get {
            place: Some(name), ..
        }
        | ConfigAction::Set {
            place: Some(name), ..
        }
        | ConfigAction::Unset { place: name, .. } => match find_place(&store, name, lang) {
            Ok(p) => Some(p),
            Err(e) => return fail(&e, 2),
        },
        _ => None,
    };
    if let Some(place) = place {
        return configure_place(&mut store, &settings, &place, action, &doors, lang);
    }
    match action {
        ConfigAction::List { .. } => {
            for (key, value) in config::list(&settings, &doors) {
                println!("{key} = {}", terminal_safe(&value));
            }
            ExitCode::SUCCESS
        }
        ConfigAction::Get { key, .. } => print_value(config::get(&settings, &key, &doors), lang),
        ConfigAction::Set { key, value, .. } => {
            let next = match config::set(&settings, &key, &value, &doors, lang) {
                Ok(next) => next,
                Err(e) => return fail(&e.message(lang), 2),
            };
            if let Err(e) = store.save_settings(&next) {
                return fail(&e.to_string(), 1);
            }
            drop(store);
            tell_running(language(&next));
            ExitCode::SUCCESS
        }
        // `unset` always names a place: answered above.
        ConfigAction::Unset { .. } => ExitCode::from(2),
    }
}

fn print_value(value: Result<String, config::ConfigError>, lang: Language) -> ExitCode {
    match value {
        Ok(v) => {
            println!("{}", terminal_safe(&v));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message(lang), 2),
    }
}

/// A place by its name (any case) or id.
fn find_place(
    store: &Store,
    name: &str,
    lang: Language,
) -> Result<doorpost_engine::store::PlaceRow, String> {
    store
        .places()
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|p| p.id == name || p.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| i18n::t(lang, Msg::NoSuchPlace, &[("name", name)]))
}

/// `config … --place NAME`: the settings a place may hold its own value of.
fn configure_place(
    store: &mut Store,
    settings: &Settings,
    place: &doorpost_engine::store::PlaceRow,
    action: ConfigAction,
    doors: &[DoorName],
    lang: Language,
) -> ExitCode {
    let own = match store.place_settings(&place.id) {
        Ok(own) => own,
        Err(e) => return fail(&e.to_string(), 1),
    };
    let next = match action {
        ConfigAction::List { .. } => {
            for (key, value) in config::list_place(settings, &own, doors) {
                println!("{key} = {}", terminal_safe(&value));
            }
            return ExitCode::SUCCESS;
        }
        ConfigAction::Get { key, .. } => {
            return print_value(config::get_place(settings, &own, &key, doors), lang);
        }
        ConfigAction::Set { key, value, .. } => {
            config::set_place(settings, &own, &key, &value, doors, lang)
        }
        ConfigAction::Unset { key, .. } => {
            config::unset_place(settings, &own, &key, lang).inspect(|_| {
                let args = [("key", key.as_str()), ("name", place.name.as_str())];
                eprintln!(
                    "{}",
                    terminal_safe(&i18n::t(lang, Msg::ConfigCleared, &args))
                );
            })
        }
    };
    let next = match next {
        Ok(next) => next,
        Err(e) => return fail(&e.message(lang), 2),
    };
    if let Err(e) = store.set_place_settings(&place.id, &next) {
        return fail(&e.to_string(), 1);
    }
    tell_running(lang);
    ExitCode::SUCCESS
}

fn places(action: PlacesAction) -> ExitCode {
    let lang = stored_language();
    let base = match crate::app_env::environment() {
        Ok((_, base)) => base,
        Err(e) => return fail(&e, 2),
    };
    let keychains = crate::app_env::keychains();
    let data_dir = paths::account_dir();
    let book = PlaceBook {
        data_dir: &data_dir,
        keychains: &keychains,
        default_base: &base,
        parakey_base: &crate::app_env::parakey_base(),
        lang,
    };
    let result = match action {
        PlacesAction::List => list_places(&book, lang),
        PlacesAction::Add { name, api_url } => add_place(&book, lang, name, api_url),
        PlacesAction::Remove {
            name,
            delete_history,
        } => book.remove(&name, delete_history).map(|p| {
            let removed = i18n::t(lang, Msg::PlaceRemoved, &[("name", &p.name)]);
            eprintln!("{}", terminal_safe(&removed));
            tell_running(lang);
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.code == doorpost_core::ipc::ErrorCode::InvalidSettings => fail(&e.message, 2),
        Err(e) => fail(&e.message, 1),
    }
}

fn list_places(book: &PlaceBook<'_>, lang: Language) -> Result<(), doorpost_core::ipc::AppError> {
    let places = book.list()?;
    if places.is_empty() {
        eprintln!("{}", i18n::t(lang, Msg::CliNoPlaces, &[]));
    }
    for p in places {
        let token = if book.token_set(&p.id) {
            Msg::CliTokenSaved
        } else {
            Msg::CliNoToken
        };
        let url = p.api_url.as_deref().unwrap_or(book.parakey_base.as_str());
        println!(
            "{}\t{}\t{}",
            terminal_safe(&p.name),
            terminal_safe(url),
            i18n::t(lang, token, &[])
        );
    }
    Ok(())
}

fn add_place(
    book: &PlaceBook<'_>,
    lang: Language,
    name: String,
    api_url: Option<String>,
) -> Result<(), doorpost_core::ipc::AppError> {
    use doorpost_core::ipc::{AppError, ErrorCode};
    // Checked before the token is asked for.
    book.name(&name, None)?;
    // Not echoed on a terminal (from before the prompt shows), and a runaway input is not
    // read whole.
    let prompt = std::io::stdin()
        .is_terminal()
        .then(|| i18n::t(lang, Msg::TokenFromStdin, &[]));
    let token = doorpost_engine::process::read_secret_line(prompt.as_deref()).unwrap_or_default();
    let token = token.trim().to_string();
    if token.is_empty() {
        let msg = i18n::t(lang, Msg::EmptyToken, &[]);
        return Err(AppError::new(ErrorCode::InvalidSettings, msg));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    let (_, row) = runtime.block_on(book.add(NewPlace {
        name,
        token: token.into(),
        api_url,
    }))?;
    let added = i18n::t(lang, Msg::PlaceAdded, &[("name", &row.name)]);
    eprintln!("{}", terminal_safe(&added));
    tell_running(lang);
    Ok(())
}

fn export(args: ExportArgs) -> ExitCode {
    let lang = stored_language();
    let dir = if args.demo {
        paths::demo_dir()
    } else {
        paths::account_dir()
    };
    let db = dir.join(DB_FILE);
    if !db.exists() {
        let dir = dir.display().to_string();
        return fail(&i18n::t(lang, Msg::CliNoHistory, &[("dir", &dir)]), 1);
    }
    let store = match Store::open(&db) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string(), 1),
    };
    let settings = store.load_settings().unwrap_or_default();
    let places = store.places().unwrap_or_default();
    let query = match export_query(&store, &args, &places, lang) {
        Ok(q) => q,
        Err(e) => return fail(&e, 2),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match args.format {
        Format::Json => write_json(&mut out, &store, &query, &settings, &places),
        Format::Csv => {
            let _ = writeln!(out, "{}", views::CSV_HEADER);
            let ctx = views::RowContext::new(&store, &settings, &places);
            hub::each_row(&store, &query, |r| {
                let v = views::row(r, &ctx);
                let _ = writeln!(out, "{}", views::csv_line(&v));
            })
        }
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) => fail(
            &i18n::t(lang, Msg::CliExportFailed, &[("why", &e.to_string())]),
            1,
        ),
        // The reader went away (`| head`): not a failure of the export.
        (_, Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (_, Err(e)) => fail(
            &i18n::t(lang, Msg::CliExportFailed, &[("why", &e.to_string())]),
            1,
        ),
    }
}

/// The export's filter: dates, a door by name or id, a place by name.
fn export_query(
    store: &Store,
    args: &ExportArgs,
    places: &[doorpost_engine::store::PlaceRow],
    lang: Language,
) -> Result<HistoryQuery, String> {
    let mut query = views::query(&HistoryQueryView {
        from: args.since.map(|t| t.0),
        to: args.until.map(|t| t.0),
        ..Default::default()
    });
    if let Some(door) = &args.door {
        let doors = door_names(store);
        let ids: Vec<String> = doors
            .iter()
            .filter(|d| d.id == *door || d.name.eq_ignore_ascii_case(door))
            .map(|d| d.id.clone())
            .collect();
        if ids.is_empty() {
            let known: Vec<&str> = doors.iter().map(|d| d.name.as_str()).collect();
            let known = known.join(", ");
            return Err(i18n::t(
                lang,
                Msg::NoSuchDoor,
                &[("door", door), ("known", &known)],
            ));
        }
        query.door_ids = ids;
    }
    if let Some(place) = &args.place {
        let found = places
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(place.trim()) || p.id == *place)
            .ok_or_else(|| i18n::t(lang, Msg::NoSuchPlace, &[("name", place)]))?;
        query.place_ids = vec![found.id.clone()];
    }
    Ok(query)
}

fn write_json(
    out: &mut impl Write,
    store: &Store,
    query: &HistoryQuery,
    settings: &Settings,
    places: &[doorpost_engine::store::PlaceRow],
) -> Result<(), doorpost_engine::store::StoreError> {
    let mut first = true;
    let _ = out.write_all(b"[");
    let ctx = views::RowContext::new(store, settings, places);
    let result = hub::each_row(store, query, |r| {
        let v = views::row(r, &ctx);
        let obj = serde_json::json!({
            "id": terminal_safe(&v.id),
            "timestamp": v.timestamp.map(|t| Millis(t).to_rfc3339()),
            "createdAt": Millis(v.created_at).to_rfc3339(),
            "unlockedAt": Millis(v.unlocked_at).to_rfc3339(),
            "place": v.place_name.as_deref().map(terminal_safe),
            "door": terminal_safe(&v.door),
            "doorId": v.door_id.as_deref().map(terminal_safe),
            "user": v.user.as_deref().map(terminal_safe),
            "notification": match v.notification {
                NotificationView::Notified => "notified",
                NotificationView::Suppressed => "suppressed",
                NotificationView::Pending => "pending",
            },
            "repeat": v.repeat,
            "muted": v.muted,
            "lateByMinutes": v.late_by_ms.map(|ms| ms / Millis::MINUTE),
            "duplicateOf": v.duplicate_of.as_deref().map(terminal_safe),
            "mark": v.stay.as_ref().map(|m| views::mark_name(m.kind)),
            "stay": v.stay.as_ref().and_then(|m| Some(serde_json::json!({
                "id": m.stay_id?,
                "checkIn": m.check_in.map(|t| Millis(t).to_rfc3339()),
                "checkOut": m.check_out.map(|t| Millis(t).to_rfc3339()),
            }))),
            "isStaff": v.is_staff,
        });
        let _ = out.write_all(if first { b"\n  " } else { b",\n  " });
        first = false;
        let _ = out.write_all(obj.to_string().as_bytes());
    });
    let _ = out.write_all(b"\n]\n");
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declaration_is_consistent_and_names_the_commit() {
        Cli::command().debug_assert();
        let v = Cli::command().render_version();
        assert!(
            v.starts_with(&format!("doorpost {} (commit ", env!("CARGO_PKG_VERSION"))),
            "{v}"
        );
        let commit = v
            .split_once("(commit ")
            .and_then(|(_, rest)| rest.split([')', ';']).next())
            .unwrap_or_default();
        assert!(
            commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
            "a git commit id, or `unknown` outside a checkout: {v}"
        );
        assert_eq!(
            v.contains("testing build, not for use"),
            cfg!(feature = "testing"),
            "a build with the test hooks says so, and only such a build: {v}"
        );
    }

    #[test]
    fn subcommands_parse_and_bad_arguments_are_usage_errors() {
        let ok = |args: &[&str]| Cli::try_parse_from(args).map(|_| ()).map_err(|e| e.kind());
        assert!(ok(&["doorpost", "--hidden", "--demo"]).is_ok());
        assert!(ok(&["doorpost", "config", "set", "quiet.hours", "22:00-07:00"]).is_ok());
        assert!(
            ok(&[
                "doorpost",
                "config",
                "set",
                "stays.checkin",
                "16:00",
                "--place",
                "Loft"
            ])
            .is_ok()
        );
        assert!(ok(&["doorpost", "config", "list", "--place", "Loft"]).is_ok());
        assert!(
            ok(&["doorpost", "config", "unset", "stays.checkin"]).is_err(),
            "a place is needed"
        );
        assert!(
            ok(&[
                "doorpost",
                "places",
                "add",
                "Loft",
                "--api-url",
                "http://127.0.0.1:1"
            ])
            .is_ok()
        );
        assert!(
            ok(&[
                "doorpost",
                "export",
                "--format",
                "json",
                "--since",
                "2026-05-02"
            ])
            .is_ok()
        );
        assert!(ok(&["doorpost", "export", "--since", "yesterday"]).is_err());
        assert!(ok(&["doorpost", "places", "add"]).is_err());
        let e = Cli::try_parse_from(["doorpost", "frobnicate"])
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 2);
    }
}
