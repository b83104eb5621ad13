//! `fake-parakey`: the fake Parakey server as a process, for end-to-end tests and for
//! trying Doorpost without an account.
//!
//! Its first stdout line is `listening on http://127.0.0.1:PORT` (flushed), so a parent
//! process can read the port. It serves until killed or interrupted. Switches can also
//! be flipped later through the control API (`POST /_fake/config`).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use doorpost_sim::demo::DemoScenario;
use doorpost_sim::{
    AuthForm, BodyShape, Clock, DateField, DefaultOrder, EtagMode, FakeConfig, FakeParakey,
};

const USAGE: &str = "\
usage: fake-parakey [options]

  --port N               listen on 127.0.0.1:N (default: a random free port)
  --token T              the accepted token (default: fake-token)
  --auth FORM            access-token | bearer | either (default: access-token)
  --reject-status N      status for a bad token, 401 or 403 (default: 401)
  --envelope KEY         wrap lists as {\"KEY\": [...], \"total\": n} (default: bare array)
  --default-limit N      page size without `limit` (default: 50)
  --cap N                silent cap on `limit`; 0 for none (default: 100)
  --no-skip              ignore skip/offset
  --order ORDER          order without orderBy: created-desc | timestamp-desc | insertion
  --start-on FIELD       the field startDate/endDate filter: createdAt | timestamp
  --exclusive            startDate and endDate exclude rows at the date itself
  --no-end-date          ignore endDate
  --etag MODE            strong | weak | none (default: weak)
  --skew MS              server clock = system clock + MS
  --visibility-delay MS  rows appear MS after their createdAt
  --fault-rate R         chance 0..1 of a random 500/502/503/429 per request
  --demo                 seed Harbour Loft's last week and keep adding unlocks
  --live-interval SECS   mean seconds between live demo unlocks (default: 45)
  --seed S               seed for ids, faults and the demo (default: fixed)
";

struct Options {
    port: u16,
    config: FakeConfig,
    demo: bool,
    live_interval: Duration,
}

fn number<T: std::str::FromStr>(flag: &str, value: String) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// The choice named `value` among `choices`, for `flag`.
fn choice<T, const N: usize>(
    flag: &str,
    value: &str,
    choices: [(&str, T); N],
) -> Result<T, String> {
    choices
        .into_iter()
        .find(|(name, _)| *name == value)
        .map(|(_, choice)| choice)
        .ok_or_else(|| format!("{flag}: unknown value {value:?}"))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        config: FakeConfig::default(),
        demo: false,
        live_interval: Duration::from_secs(45),
    };
    let config = &mut options.config;
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => options.port = number(&flag, value()?)?,
            "--token" => config.token = value()?,
            "--auth" => {
                let forms = [
                    ("access-token", AuthForm::AccessToken),
                    ("bearer", AuthForm::Bearer),
                    ("either", AuthForm::Either),
                ];
                config.auth_form = choice(&flag, &value()?, forms)?;
            }
            "--reject-status" => config.auth_reject_status = number(&flag, value()?)?,
            "--envelope" => config.body_shape = BodyShape::envelope(&value()?),
            "--default-limit" => config.default_limit = number(&flag, value()?)?,
            "--cap" => {
                let cap: usize = number(&flag, value()?)?;
                config.max_limit = (cap > 0).then_some(cap);
            }
            "--no-skip" => config.skip_supported = false,
            "--order" => {
                let orders = [
                    ("created-desc", DefaultOrder::CreatedAtDesc),
                    ("timestamp-desc", DefaultOrder::TimestampDesc),
                    ("insertion", DefaultOrder::Insertion),
                ];
                config.default_order = choice(&flag, &value()?, orders)?;
            }
            "--start-on" => {
                let fields = [
                    ("createdAt", DateField::CreatedAt),
                    ("timestamp", DateField::Timestamp),
                ];
                config.date_field = choice(&flag, &value()?, fields)?;
            }
            "--exclusive" => {
                config.start_inclusive = false;
                config.end_inclusive = false;
            }
            "--no-end-date" => config.end_date_supported = false,
            "--etag" => {
                let modes = [
                    ("strong", EtagMode::Strong),
                    ("weak", EtagMode::Weak),
                    ("none", EtagMode::Absent),
                ];
                config.etag = choice(&flag, &value()?, modes)?;
            }
            "--skew" => {
                config.clock = Clock::Real {
                    skew_ms: number(&flag, value()?)?,
                }
            }
            "--visibility-delay" => config.visibility_delay_ms = number(&flag, value()?)?,
            "--fault-rate" => config.random_fault_rate = number(&flag, value()?)?,
            "--demo" => options.demo = true,
            "--live-interval" => {
                let secs: f64 = number(&flag, value()?)?;
                options.live_interval = Duration::try_from_secs_f64(secs)
                    .map_err(|_| format!("--live-interval: {secs} is not a duration"))?;
            }
            "--seed" => config.seed = number(&flag, value()?)?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::ERROR)
        .with_writer(std::io::stderr)
        .init();
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("fake-parakey: {message}");
            }
            eprint!("{USAGE}");
            return if message.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let seed = options.config.seed;
    let addr = SocketAddr::from(([127, 0, 0, 1], options.port));
    let fake = match FakeParakey::start_on(addr, options.config).await {
        Ok(fake) => fake,
        Err(error) => {
            eprintln!("fake-parakey: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    if options.demo {
        let scenario = DemoScenario::harbour_loft();
        let seeded = scenario.seed_history(&fake, seed);
        eprintln!("fake-parakey: demo seeded with {seeded} unlocks at Harbour Loft");
        tokio::spawn(scenario.run_live(fake.control(), seed, options.live_interval));
    }
    let mut stdout = std::io::stdout();
    // The parent reads this line for the port; without the flush it could sit in a buffer.
    if writeln!(stdout, "listening on {}", fake.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("fake-parakey: cannot wait for Ctrl-C ({error}); serving until killed");
        std::future::pending::<()>().await;
    }
    fake.shutdown();
    ExitCode::SUCCESS
}
