//! `doorpost doctor`: checks what alerts depend on, one line each, and exits non-zero when
//! anything would stop them. Its lines are diagnostics for a bug report, in English.

use std::process::ExitCode;

use doorpost_core::poller::SyncState;
use doorpost_core::settings::Language;
use doorpost_engine::hub::{self, PlaceBook, views};

use crate::paths;

/// The lines printed so far and how many would stop alerts.
#[derive(Default)]
struct Report {
    blocking: u32,
}

impl Report {
    fn line(&mut self, ok: bool, stops_alerts: bool, what: String) {
        let mark = if ok {
            "ok  "
        } else if stops_alerts {
            "FAIL"
        } else {
            "warn"
        };
        println!("[{mark}] {}", doorpost_core::text::terminal_safe(&what));
        if !ok && stops_alerts {
            self.blocking += 1;
        }
    }

    /// A line of information under the one before, neither a pass nor a problem.
    fn detail(&mut self, what: String) {
        println!("       {}", doorpost_core::text::terminal_safe(&what));
    }
}

pub fn run() -> ExitCode {
    let mut report = Report::default();
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
    data_dir(&mut report);
    rt.block_on(places(&mut report));
    desktop(&mut report);
    if report.blocking == 0 {
        println!("Doorpost can alert you.");
        ExitCode::SUCCESS
    } else {
        println!("{} problem(s) would stop alerts.", report.blocking);
        ExitCode::FAILURE
    }
}

fn data_dir(report: &mut Report) {
    let dir = paths::data_root();
    let writable = std::fs::create_dir_all(&dir).is_ok() && {
        let probe = dir.join(".doctor-probe");
        let ok = std::fs::write(&probe, b"ok").is_ok();
        let _ = std::fs::remove_file(&probe);
        ok
    };
    report.line(
        writable,
        true,
        format!("data directory {} is writable", dir.display()),
    );
}

/// Each place: its token (keychain, or `DOORPOST_TOKEN` for the first) and whether
/// Parakey takes it.
async fn places(report: &mut Report) {
    let (env_token, base) = match crate::app_env::environment() {
        Ok(e) => e,
        Err(e) => return report.line(false, true, e),
    };
    let keychains = crate::app_env::keychains();
    let dir = paths::account_dir();
    let book = PlaceBook {
        data_dir: &dir,
        keychains: &keychains,
        default_base: &base,
        parakey_base: &crate::app_env::parakey_base(),
        lang: Language::En,
    };
    let mut places = book.list().unwrap_or_default();
    if places.is_empty() && env_token.is_some() {
        places.push(doorpost_engine::store::PlaceRow {
            id: hub::FIRST_PLACE.into(),
            name: "DOORPOST_TOKEN".into(),
            api_url: None,
            notify_mode: None,
        });
    }
    if places.is_empty() {
        let msg = "no place has a Parakey token yet (paste one in Doorpost, or try the demo)";
        return report.line(false, true, msg.into());
    }
    let store = match book.store() {
        Ok(store) => store,
        Err(e) => return report.line(false, true, e.message),
    };
    let install = match store.install_id() {
        Ok(id) => id,
        Err(e) => return report.line(false, true, e.to_string()),
    };
    for (i, place) in places.into_iter().enumerate() {
        let name = &place.name;
        // `DOORPOST_TOKEN` (the first place's) goes to `DOORPOST_API_URL`; a saved token
        // only to the address it was checked against, whatever this process's environment
        // says.
        let token = match (&env_token, i == 0) {
            (Some(t), true) => Ok(Some((t.clone(), base.clone()))),
            _ => book.token(&install, &place),
        };
        let (token, base) = match token {
            Ok(Some(t)) => t,
            Ok(None) => {
                report.line(
                    false,
                    true,
                    format!("{name}: no token is saved for its address"),
                );
                continue;
            }
            Err(e) => {
                report.line(false, true, format!("{name}: {}", e.message));
                continue;
            }
        };
        match hub::validate(&base, &token, Language::En).await {
            Ok((check, _)) => report.line(
                true,
                true,
                format!(
                    "{name}: Parakey accepts the token ({} header; {} recent unlocks, {} doors)",
                    check.auth_style, check.events_seen, check.doors_seen
                ),
            ),
            Err(e) => report.line(false, true, format!("{name}: {}", e.message)),
        }
        learned(report, &store, name, &base, &token);
    }
}

/// What the place's poller learned about its server (what it accepted and refused), from
/// the state it last stored: the app need not be running.
fn learned(
    report: &mut Report,
    store: &doorpost_engine::store::Store,
    name: &str,
    base: &doorpost_engine::http::BaseUrl,
    token: &doorpost_engine::http::ApiToken,
) {
    let source = doorpost_engine::http::source_key(base, token);
    let state: SyncState = store
        .load_state(&source)
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    report.detail(format!(
        "{name}: what Parakey accepted and refused, as last checked:"
    ));
    for line in views::learned_lines(state.auth, &views::learned_from_state(&state)) {
        report.detail(format!("  {line}"));
    }
}

fn desktop(report: &mut Report) {
    let info = doorpost_engine::desktop_notifier::probe();
    if info.available {
        report.line(
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
        report.line(
            false,
            true,
            "no notification service is running on this desktop: Doorpost cannot alert you".into(),
        );
    }
    // Windows' notification area and macOS' menu bar are always there.
    let Some(tray) = doorpost_engine::desktop_notifier::tray_host_running() else {
        return;
    };
    report.line(
        tray,
        false,
        if tray {
            "a tray host is running".into()
        } else {
            "no tray host (StatusNotifierWatcher): Doorpost runs, but its tray icon won't show"
                .into()
        },
    );
}
