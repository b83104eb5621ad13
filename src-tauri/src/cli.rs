//! The command line: `doorpost [--hidden] [--demo]` starts the app; `refresh`, `export`,
//! `doctor` and `--version` work without a display.

use std::io::Write;
use std::process::ExitCode;

use doorpost_core::ipc::HistoryQueryView;
use doorpost_core::settings::Settings;
use doorpost_core::text::terminal_safe;
use doorpost_core::time::Millis;
use doorpost_engine::http::{ApiToken, BaseUrl, DEFAULT_BASE_URL};

use doorpost_engine::store::{HistoryQuery, Store, StoreError};

use crate::{control, paths, views};

pub const USAGE: &str = "\
Doorpost: tells you the moment a guest unlocks a Parakey door.

Usage:
  doorpost [--hidden] [--demo]     start (in the tray only with --hidden; the demo with --demo)
  doorpost refresh                 ask the running Doorpost to check Parakey now
  doorpost export [--format csv|json] [--since T] [--until T] [--door D] [--demo]
                                   print the history (T: 2026-05-02 or an RFC 3339 time;
                                   D: a door's name or id)
  doorpost doctor                  check what Doorpost needs to alert you
  doorpost --version               print the version and the commit it was built from

Environment:
  DOORPOST_TOKEN     Parakey token for this process only (never stored)
  DOORPOST_API_URL   API base URL (default https://api.parakey.co)
  DOORPOST_DATA_DIR  data directory
";

pub enum Command {
    Gui { hidden: bool, demo: bool },
    Refresh,
    Export(ExportArgs),
    Doctor,
    Help,
    Version,
}

#[derive(Default)]
pub struct ExportArgs {
    pub json: bool,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub door: Option<String>,
    pub demo: bool,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut it = args.iter().peekable();
    match it.peek().map(|s| s.as_str()) {
        Some("refresh") => return Ok(Command::Refresh),
        Some("doctor") => return Ok(Command::Doctor),
        Some("help" | "--help" | "-h") => return Ok(Command::Help),
        Some("--version" | "-V") => return Ok(Command::Version),
        Some("export") => {
            it.next();
            let mut e = ExportArgs::default();
            while let Some(a) = it.next() {
                let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
                match a.as_str() {
                    "--format" => match value()?.as_str() {
                        "csv" => e.json = false,
                        "json" => e.json = true,
                        f => return Err(format!("unknown format {f:?}: use csv or json")),
                    },
                    "--since" => e.since = Some(parse_time(&value()?)?),
                    "--until" => e.until = Some(parse_time(&value()?)?),
                    "--door" => e.door = Some(value()?),
                    "--demo" => e.demo = true,
                    other => return Err(format!("unknown option {other:?} for export")),
                }
            }
            return Ok(Command::Export(e));
        }
        _ => {}
    }
    let (mut hidden, mut demo) = (false, false);
    for a in it {
        match a.as_str() {
            "--hidden" => hidden = true,
            "--demo" => demo = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Command::Gui { hidden, demo })
}

/// `doorpost 0.1.0 (commit 0123456789ab)`: what a bug report should quote.
pub fn version() -> String {
    format!(
        "doorpost {} (commit {})",
        env!("CARGO_PKG_VERSION"),
        env!("DOORPOST_COMMIT")
    )
}

/// `2026-05-02` (local midnight) or any RFC 3339 time.
fn parse_time(s: &str) -> Result<Millis, String> {
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

pub fn refresh() -> ExitCode {
    match control::send(&paths::control_socket(), "refresh") {
        control::Reply::Ok => {
            println!("Doorpost is checking Parakey now.");
            ExitCode::SUCCESS
        }
        control::Reply::Refused(why) => {
            eprintln!("Doorpost did not check: {}", terminal_safe(&why));
            ExitCode::FAILURE
        }
        control::Reply::NotRunning => {
            eprintln!(
                "Doorpost is not running. Start it with `doorpost` (or `doorpost --hidden`)."
            );
            ExitCode::FAILURE
        }
    }
}

/// Every row of `q` (all pages), as CSV.
pub fn render_csv(
    store: &Store,
    q: &HistoryQuery,
    settings: &Settings,
) -> Result<String, StoreError> {
    let mut out = String::from(views::CSV_HEADER);
    out.push('\n');
    each_row(store, q, |r| {
        out.push_str(&views::csv_line(&views::row(r, settings.allowed_offset)));
        out.push('\n');
    })?;
    Ok(out)
}

fn each_row(
    store: &Store,
    q: &HistoryQuery,
    mut f: impl FnMut(&doorpost_engine::store::HistoryRow),
) -> Result<(), StoreError> {
    let mut q = q.clone();
    q.limit = 500;
    loop {
        let page = store.history(&q)?;
        page.rows.iter().for_each(&mut f);
        match page.next {
            Some(next) => q.before = Some(next),
            None => return Ok(()),
        }
    }
}

pub fn export(args: ExportArgs) -> ExitCode {
    let dir = if args.demo {
        paths::demo_dir()
    } else {
        paths::account_dir()
    };
    let db = dir.join(paths::DB_FILE);
    if !db.exists() {
        eprintln!("No history yet in {}. Start Doorpost first.", dir.display());
        return ExitCode::FAILURE;
    }
    let store = match Store::open(&db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Couldn't open the history: {e}");
            return ExitCode::FAILURE;
        }
    };
    let settings = store.load_settings().unwrap_or_default();
    let mut query = views::query(&HistoryQueryView {
        from: args.since.map(|t| t.0),
        to: args.until.map(|t| t.0),
        ..Default::default()
    });
    if let Some(door) = &args.door {
        let doors = store.doors().unwrap_or_default();
        let ids: Vec<String> = doors
            .iter()
            .filter(|d| {
                d.id == *door
                    || d.name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(door))
            })
            .map(|d| d.id.clone())
            .collect();
        if ids.is_empty() {
            eprintln!(
                "No door called {door:?}. Doors seen: {}",
                doors
                    .iter()
                    .map(|d| terminal_safe(d.name.as_deref().unwrap_or(&d.id)).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return ExitCode::FAILURE;
        }
        query.door_ids = ids;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = if args.json {
        let mut first = true;
        let _ = out.write_all(b"[");
        let r = each_row(&store, &query, |r| {
            let v = views::row(r, settings.allowed_offset);
            let obj = serde_json::json!({
                "id": terminal_safe(&v.id),
                "timestamp": v.timestamp.map(|t| Millis(t).to_rfc3339()),
                "createdAt": Millis(v.created_at).to_rfc3339(),
                "unlockedAt": Millis(v.unlocked_at).to_rfc3339(),
                "door": terminal_safe(&v.door),
                "doorId": v.door_id.as_deref().map(terminal_safe),
                "user": v.user.as_deref().map(terminal_safe),
                "notification": match v.notification {
                    doorpost_core::ipc::NotificationView::Notified => "notified",
                    doorpost_core::ipc::NotificationView::Suppressed => "suppressed",
                    doorpost_core::ipc::NotificationView::Pending => "pending",
                },
                "lateByMinutes": v.late_by_ms.map(|ms| ms / Millis::MINUTE),
            });
            let _ = out.write_all(if first { b"\n  " } else { b",\n  " });
            first = false;
            let _ = out.write_all(obj.to_string().as_bytes());
        });
        let _ = out.write_all(b"\n]\n");
        r
    } else {
        let _ = writeln!(out, "{}", views::CSV_HEADER);
        each_row(&store, &query, |r| {
            let _ = writeln!(
                out,
                "{}",
                views::csv_line(&views::row(r, settings.allowed_offset))
            );
        })
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) => {
            eprintln!("Export failed: {e}");
            ExitCode::FAILURE
        }
        // The reader went away (`| head`): not a failure of the export.
        (_, Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (_, Err(e)) => {
            eprintln!("Export failed while writing: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks what alerts depend on; non-zero exit when anything would stop them.
pub fn doctor() -> ExitCode {
    let mut blocking = 0;
    let mut line = |ok: bool, stops_alerts: bool, what: String| {
        let mark = if ok {
            "ok  "
        } else if stops_alerts {
            "FAIL"
        } else {
            "warn"
        };
        println!("[{mark}] {}", terminal_safe(&what));
        if !ok && stops_alerts {
            blocking += 1;
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("doctor: {e}");
            return ExitCode::FAILURE;
        }
    };

    // Data directory.
    let dir = paths::data_root();
    let writable = std::fs::create_dir_all(&dir).is_ok() && {
        let probe = dir.join(".doctor-probe");
        let ok = std::fs::write(&probe, b"ok").is_ok();
        let _ = std::fs::remove_file(&probe);
        ok
    };
    line(
        writable,
        true,
        format!("data directory {} is writable", dir.display()),
    );

    // Keychain and token.
    let keychain = crate::keychain();
    let env_token = std::env::var("DOORPOST_TOKEN")
        .ok()
        .and_then(|t| ApiToken::new(&t).ok());
    let stored = match keychain.get() {
        Ok(t) => {
            line(true, env_token.is_none(), "keychain is reachable".into());
            t
        }
        Err(e) => {
            line(false, env_token.is_none(), format!("keychain: {e}"));
            None
        }
    };
    let token = env_token.clone().or(stored);
    match &token {
        None => line(
            false,
            true,
            "no Parakey token is set (paste one in Doorpost, or try the demo)".into(),
        ),
        Some(_) => line(
            true,
            true,
            if env_token.is_some() {
                "a token is set (DOORPOST_TOKEN, this process only)".into()
            } else {
                "a token is saved in the keychain".into()
            },
        ),
    }
    if let Some(token) = &token {
        let base = std::env::var("DOORPOST_API_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.into());
        match BaseUrl::parse(&base) {
            Ok(base) => match rt.block_on(crate::app::validate(&base, token)) {
                Ok(check) => line(
                    true,
                    true,
                    format!(
                        "Parakey accepts the token ({} header; {} recent unlocks, {} doors)",
                        check.auth_style, check.events_seen, check.doors_seen
                    ),
                ),
                Err(e) => line(false, true, e.message),
            },
            Err(e) => line(false, true, format!("DOORPOST_API_URL: {e}")),
        }
    }

    // Notifications and tray.
    let info = doorpost_engine::desktop_notifier::probe();
    if info.available {
        line(
            true,
            true,
            format!(
                "notification service: {} {} ({})",
                info.name,
                info.version,
                info.capabilities.join(", ")
            ),
        );
    } else {
        line(
            false,
            true,
            "no notification service is running on this desktop: Doorpost cannot alert you".into(),
        );
    }
    let tray =
        doorpost_engine::desktop_notifier::session_name_has_owner("org.kde.StatusNotifierWatcher");
    line(
        tray,
        false,
        if tray {
            "a tray host is running".into()
        } else {
            "no tray host (StatusNotifierWatcher): Doorpost runs, but its tray icon won't show"
                .into()
        },
    );
    if blocking == 0 {
        println!("Doorpost can alert you.");
        ExitCode::SUCCESS
    } else {
        println!("{blocking} problem(s) would stop alerts.");
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_the_release_and_the_commit_it_was_built_from() {
        assert!(matches!(parse(&["--version".into()]), Ok(Command::Version)));
        let v = version();
        assert!(
            v.starts_with(&format!("doorpost {} (commit ", env!("CARGO_PKG_VERSION"))),
            "{v}"
        );
        let commit = v
            .trim_end_matches(')')
            .rsplit(' ')
            .next()
            .unwrap_or_default();
        assert!(
            commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
            "a git commit id, or `unknown` outside a checkout: {v}"
        );
    }
}
