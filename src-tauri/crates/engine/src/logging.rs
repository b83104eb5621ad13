//! Logs to standard error, filtered by `RUST_LOG`: a level (`info`), or targets with levels
//! (`doorpost_engine=debug,warn`). Targets, not `EnvFilter`'s regular expressions, so the
//! app carries no regex engine for its logs.

pub use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the subscriber; `default` is the level when `RUST_LOG` is unset or unreadable.
/// A second call does nothing.
pub fn init(default: LevelFilter) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| s.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(default));
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init();
}
