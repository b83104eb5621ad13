//! The hub: every place's engine, the demo, and everything the window, the tray and the
//! control socket ask of them. It knows nothing of Tauri; the shell's commands are one-line
//! adapters over it, and it is unit-tested with a fake Parakey, an in-memory keychain and
//! a silent notifier.
//!
//! Sessions: *unconfigured* (no place has a token: the first-run screen), *account* (one
//! engine per place, each with its own token, poller, state and store connection), or
//! *demo* (one simulated place in its own data directory). Every switch stops the running
//! engines cleanly before the next start: one poller per place, always. A place whose
//! token is missing or whose keychain fails shows that, and the others go on.
//!
//! Places start staggered (a few seconds apart) so their checks do not go out together.
//! Settings are the user's (one set for every place), but a place may choose its own
//! notification mode. Pausing notifications mutes every door (a row of its own, apart from
//! the doors' mutes): checking goes on, so the history stays complete, and the unlocks it
//! holds back are counted.
//!
//! The hub emits [`Signal`]s: the shell turns them into the window's refetch and the
//! tray's redraw.
//!
//! Where the parts live: this file holds the [`Hub`], its options and the session's state;
//! `session.rs` starts and switches sessions; `actions.rs` is check now, pause, mute and
//! the sample notification; `settings.rs` saves, applies and reloads the settings;
//! `token_check.rs` checks a token against Parakey; `places.rs` adds, renames and removes
//! places; `feeds.rs` the booking feeds, their fetch loop and the stays; `blocked.rs` retries places whose token could not be read; `reads.rs` and
//! `views.rs` are what the window and the tray read.

mod actions;
mod blocked;
mod feeds;
mod places;
mod reads;
mod session;
mod settings;
mod staff;
mod token_check;
pub mod views;

pub use feeds::list_stays;
pub use places::PlaceBook;
pub use reads::{each_row, export_csv_file, tray_rows, write_csv};
pub use token_check::{auth_name, validate};

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use doorpost_core::changes::Published;
use doorpost_core::i18n::{self, Locale, Msg, SystemLocale};
use doorpost_core::ipc::{AppError, ChangedEvent, ErrorCode, Mode};
use doorpost_core::poller::PollerConfig;
use doorpost_core::settings::{Language, Settings};
use tokio::sync::broadcast;

use crate::driver::{self, EngineHandle};
use crate::http::{ApiToken, BaseUrl};
use crate::keychain::TokenStore;
use crate::notifier::Notifier;
use crate::store::{PlaceRow, Store};
use doorpost_sim::FakeControl;

/// The history database's file name, in the data directory.
pub const DB_FILE: &str = "doorpost.sqlite3";
/// The first place's id: it takes the token Doorpost kept before places existed.
pub const FIRST_PLACE: &str = "main";
/// The keychain entries' prefix; before install ids, the first place's whole name.
pub const TOKEN_ENTRY: &str = "parakey-token";

/// A place's keychain entry in the install `install` ([`Store::install_id`]): no other
/// data directory names it.
pub fn keychain_entry(install: &str, place_id: &str) -> String {
    format!("{TOKEN_ENTRY}:{install}:{place_id}")
}

/// A place's keychain entry as a Doorpost from before install ids named it: read once, to
/// upgrade the install that wrote it.
pub fn legacy_keychain_entry(place_id: &str) -> String {
    if place_id == FIRST_PLACE {
        TOKEN_ENTRY.to_string()
    } else {
        format!("{TOKEN_ENTRY}:{place_id}")
    }
}

/// Opens the keychain entry of a name ([`keychain_entry`]).
pub type Keychains = Arc<dyn Fn(&str) -> Arc<dyn TokenStore> + Send + Sync>;
/// Starting with the session: the shell's autostart entry. The entry is the truth: a user
/// may remove it in the desktop's own settings, and the setting then follows it.
pub trait Autostart: Send + Sync {
    /// Writes or removes the entry.
    fn set(&self, on: bool) -> Result<(), String>;
    /// Whether the entry is there; `None` where this system has no such entry.
    fn is_on(&self) -> Option<bool>;
}

pub struct HubOptions {
    /// The account's data directory (the history is [`DB_FILE`] in it).
    pub data_dir: PathBuf,
    /// The demo's, apart so demo data never mixes with a real history.
    pub demo_dir: PathBuf,
    pub keychains: Keychains,
    /// `DOORPOST_TOKEN`: the first place's token for this process only, never stored.
    pub env_token: Option<ApiToken>,
    /// `DOORPOST_API_URL`, else Parakey's: where a place being added is checked, and
    /// where `DOORPOST_TOKEN` goes. Never where a stored token goes.
    pub default_base: BaseUrl,
    /// Parakey's own address ([`crate::http::DEFAULT_BASE_URL`]; tests: a fake's): where
    /// a stored place without an address of its own is.
    pub parakey_base: BaseUrl,
    pub notifier: Arc<dyn Notifier>,
    /// Replaces the settings' timings (tests poll every half second).
    pub poller_config: Option<PollerConfig>,
    pub system_locale: SystemLocale,
    /// `None`: the system's.
    pub utc_offset_secs: Option<i32>,
    pub autostart: Option<Arc<dyn Autostart>>,
}

/// What changed, for the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Redraw the tray, and tell the window what to refetch.
    Changed(ChangedEvent),
}

/// An engine's status as [`doorpost_core::changes::status_change`] compares it.
fn published(s: &driver::EngineStatus) -> Published<'_> {
    Published {
        poller: &s.poller,
        last_success: s.last_success,
        quiet: s.quiet,
    }
}

/// One place of the running session.
struct Running {
    row: PlaceRow,
    engine: Option<EngineHandle>,
    token_set: bool,
    /// Why it is not running (a keychain failure), in the user's language.
    problem: Option<String>,
    /// Since when it could not start, for the "can't check" notice.
    blocked: blocked::Blocked,
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    reader: Option<Arc<Mutex<Store>>>,
    places: Vec<Running>,
    /// The demo's simulated Parakey: in-process, it opens no port.
    demo: Option<FakeControl>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The settings the engines and the notifier run with.
    applied: Option<Settings>,
    /// The session's booking feeds (issue 16).
    feeds: Option<feeds::FeedSession>,
}

pub struct Hub {
    opts: HubOptions,
    state: tokio::sync::Mutex<State>,
    signals: broadcast::Sender<Signal>,
    /// Unlocks announced since the window was last opened (the tray's "new" icon).
    unseen: AtomicU32,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

impl Hub {
    pub fn new(opts: HubOptions) -> Arc<Hub> {
        Arc::new(Hub {
            opts,
            state: tokio::sync::Mutex::new(State::default()),
            signals: broadcast::channel(64).0,
            unseen: AtomicU32::new(0),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.signals.subscribe()
    }

    fn changed(&self, event: ChangedEvent) {
        let _ = self.signals.send(Signal::Changed(event));
    }

    /// The window was opened: the news has been seen.
    pub fn seen(&self) {
        self.unseen.store(0, Ordering::Relaxed);
    }

    pub fn unseen(&self) -> u32 {
        self.unseen.load(Ordering::Relaxed)
    }

    fn utc_offset(&self) -> i32 {
        self.opts
            .utc_offset_secs
            .unwrap_or_else(|| chrono::Local::now().offset().local_minus_utc())
    }

    fn locale_for(&self, settings: &Settings) -> Locale {
        i18n::resolve(
            settings.language,
            &self.opts.system_locale,
            self.utc_offset(),
        )
    }

    /// The user's language now (the setting, else the system's).
    pub async fn language(&self) -> Language {
        self.locale_for(&self.settings().await).lang
    }

    fn error(&self, lang: Language, code: ErrorCode, msg: Msg, args: &[(&str, &str)]) -> AppError {
        AppError::new(code, i18n::t(lang, msg, args))
    }
}

fn read_settings(state: &State) -> Settings {
    state
        .reader
        .as_ref()
        .map(|r| {
            r.lock()
                .unwrap_or_else(|p| p.into_inner())
                .load_settings()
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
