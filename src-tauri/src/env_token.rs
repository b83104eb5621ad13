//! `DOORPOST_TOKEN`: a token for this process only, and for none of its children.
//!
//! WebKitGTK runs the window in child processes that inherit the environment, so a token
//! left in it would sit in `/proc/<pid>/environ` of every one of them. Removing a variable
//! from a running process is `unsafe` (other threads may read the environment), and unsafe
//! code is forbidden here. So, before any thread or window exists, the app hands the token
//! to a fresh copy of itself: it `exec`s its own binary with the same arguments and an
//! environment without `DOORPOST_TOKEN`, and the token travels through a pipe on standard
//! input (the app reads no other input). Same process id, no window in between; the new
//! image reads the token and nothing else can see it.
//!
//! Windows has no `exec`: there the copy is a child, and this process only waits for it
//! and exits with its code (a second process id, still no window in between). This module
//! is the seam for that difference ([`hand_over`]).

use std::io::{Read, Write};

pub const VAR: &str = "DOORPOST_TOKEN";
/// Set on the re-executed process: its token is on standard input.
const ON_STDIN: &str = "DOORPOST_TOKEN_ON_STDIN";
/// No Parakey token is this long; a longer one is refused rather than piped.
const MAX_TOKEN: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum EnvTokenError {
    #[error("DOORPOST_TOKEN is longer than {MAX_TOKEN} bytes; paste the token Parakey showed you")]
    TooLong,
    #[error(
        "could not restart Doorpost without DOORPOST_TOKEN in its environment ({0}); start it \
         without DOORPOST_TOKEN and paste the token in Settings instead"
    )]
    Handoff(std::io::Error),
}

/// The token from `DOORPOST_TOKEN`, out of the environment. On the first call with the
/// variable set this does not return: the process becomes a copy of itself without it
/// (see the module docs), and in that copy it returns the token. `Ok(None)`: no token.
pub fn take() -> Result<Option<String>, EnvTokenError> {
    if std::env::var_os(ON_STDIN).is_some() && std::env::var_os(VAR).is_none() {
        let mut token = String::new();
        std::io::stdin()
            .take(MAX_TOKEN as u64)
            .read_to_string(&mut token)
            .map_err(EnvTokenError::Handoff)?;
        return Ok(Some(token).filter(|t| !t.trim().is_empty()));
    }
    let token = match std::env::var(VAR) {
        Ok(t) if !t.trim().is_empty() => t,
        _ => return Ok(None),
    };
    if token.len() > MAX_TOKEN {
        return Err(EnvTokenError::TooLong);
    }
    let (reader, mut writer) = std::io::pipe().map_err(EnvTokenError::Handoff)?;
    // Fits in the pipe's buffer (64 KiB on Linux), so this cannot block.
    writer
        .write_all(token.as_bytes())
        .map_err(EnvTokenError::Handoff)?;
    drop(writer);
    let exe = std::env::current_exe().map_err(EnvTokenError::Handoff)?;
    let mut copy = std::process::Command::new(exe);
    copy.args(std::env::args_os().skip(1))
        .env_remove(VAR)
        .env(ON_STDIN, "1")
        .stdin(reader);
    Err(EnvTokenError::Handoff(hand_over(copy)))
}

/// Becomes `copy`: returns only if that failed.
#[cfg(unix)]
fn hand_over(mut copy: std::process::Command) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    copy.exec()
}

/// Runs `copy` to its end and exits with its code: returns only if it could not start.
#[cfg(windows)]
fn hand_over(mut copy: std::process::Command) -> std::io::Error {
    match copy.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => e,
    }
}
