//! The control socket: how the command line reaches the running instance without a
//! display. One line in (`refresh`: check now; `reload`: the settings or places changed;
//! `settings`: the settings in force, as JSON), one line out (`ok`, `ok <answer>` or
//! `error <message>`).
//!
//! The channel is the user's alone ([`crate::control_channel`]: a Unix socket in a 0700
//! folder of the user's runtime directory, itself 0600, hanging up on a peer whose uid is
//! not ours; a named pipe only the user can open on Windows). Whoever does
//! connect is bounded: one line of at most [`MAX_LINE`] bytes within [`READ_TIMEOUT`], at
//! most [`MAX_CONNECTIONS`] at once (more are closed at once), and a failing `accept` (out
//! of file descriptors) pauses the loop instead of spinning.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::control_channel::{self as channel, Listener};

/// Longest command line read, newline included.
pub const MAX_LINE: usize = 256;
/// How long a client may take to send its line.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest answer the client reads (the settings as JSON).
const MAX_ANSWER: u64 = 64 * 1024;
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 8;
/// The pause after a failed `accept`.
const ACCEPT_PAUSE: Duration = Duration::from_millis(250);

/// What the client learned.
pub enum Reply {
    /// Done (an answer, when the command has one, is for tools that speak the protocol).
    Ok,
    Refused(String),
    NotRunning,
}

/// Sends one command to the running instance.
pub fn send(socket: &Path, command: &str) -> Reply {
    let Ok(mut stream) = channel::connect(socket, channel::ANSWER_TIMEOUT) else {
        return Reply::NotRunning;
    };
    if writeln!(stream, "{command}").is_err() {
        return Reply::NotRunning;
    }
    let mut line = String::new();
    match BufReader::new(std::io::Read::take(stream, MAX_ANSWER)).read_line(&mut line) {
        Ok(n) if n > 0 => match line.trim_end().strip_prefix("error ") {
            Some(msg) => Reply::Refused(msg.to_string()),
            None => Reply::Ok,
        },
        _ => Reply::NotRunning,
    }
}

/// Binds the channel, private to this user. `None` (logged) when it cannot.
fn bind(socket: &Path) -> Option<Listener> {
    match Listener::bind(socket) {
        Ok(listener) => Some(listener),
        Err(e) => {
            tracing::warn!(
                "control socket unavailable ({e}); `doorpost refresh` will not reach this instance"
            );
            None
        }
    }
}

/// Serves the socket until the app exits; `handle` answers each command line.
pub async fn serve<F, Fut>(socket: std::path::PathBuf, handle: F)
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<String, String>> + Send,
{
    let Some(mut listener) = bind(&socket) else {
        return;
    };
    let handle = Arc::new(handle);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        // Someone else's process never gets here: the channel closes it unheard.
        let stream = match listener.accept().await {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!("control socket: accept failed ({e}); pausing");
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        // Over the cap: closed without a word.
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            continue;
        };
        let handle = Arc::clone(&handle);
        tokio::spawn(async move {
            let _slot = slot;
            let (read, mut write) = tokio::io::split(stream);
            let mut line = String::new();
            let mut reader = tokio::io::BufReader::new(read.take(MAX_LINE as u64));
            let read = tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line)).await;
            let reply = match read {
                Ok(Ok(n)) if n > 0 && line.ends_with('\n') => {
                    match handle(line.trim().to_string()).await {
                        Ok(answer) if answer.is_empty() => "ok\n".to_string(),
                        Ok(answer) => format!("ok {}\n", answer.replace('\n', " ")),
                        Err(e) => format!("error {}\n", e.replace('\n', " ")),
                    }
                }
                Ok(Ok(n)) if n >= MAX_LINE => "error the command is too long\n".to_string(),
                _ => return,
            };
            let _ = write.write_all(reply.as_bytes()).await;
        });
    }
}

/// Answers one command line for the running app.
pub async fn answer(
    hub: &std::sync::Arc<doorpost_engine::hub::Hub>,
    command: &str,
) -> Result<String, String> {
    let done = |r: Result<(), doorpost_core::ipc::AppError>| r.map(|()| String::new());
    match command {
        "refresh" => done(hub.refresh_now().await),
        "reload" => done(hub.reload().await),
        "settings" => Ok(serde_json::to_string(&hub.applied_settings().await).unwrap_or_default()),
        other => return Err(format!("unknown command {other:?}")),
    }
    .map_err(|e| e.message)
}

// Through the Unix socket; the Windows pipe is only type-checked.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixStream;

    fn serve_in(dir: &Path) -> std::path::PathBuf {
        let socket = dir.join("run/doorpost/control.sock");
        let path = socket.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(serve(path, |cmd: String| async move {
                match cmd.as_str() {
                    "refresh" => Ok(String::new()),
                    other => Err(format!("unknown command {other:?}")),
                }
            }));
        });
        for _ in 0..200 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        socket
    }

    #[test]
    fn the_socket_is_private_and_answers_one_line() {
        let tmp = tempfile::tempdir().unwrap();
        let socket = serve_in(tmp.path());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&socket), 0o600);
        assert_eq!(mode(socket.parent().unwrap()), 0o700);
        assert!(matches!(send(&socket, "refresh"), Reply::Ok));
        assert!(matches!(send(&socket, "nonsense"), Reply::Refused(_)));
    }

    #[test]
    fn a_live_instance_keeps_its_socket_and_a_crashed_ones_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let socket = serve_in(tmp.path());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _inside = rt.enter();
        let refused = Listener::bind(&socket).err().map(|e| e.kind());
        assert_eq!(refused, Some(std::io::ErrorKind::AddrInUse));
        assert!(
            matches!(send(&socket, "refresh"), Reply::Ok),
            "still the first's"
        );

        // A socket file nobody listens on: what a crash leaves behind.
        let stale = tmp.path().join("stale").join("control.sock");
        std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
        drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
        assert!(stale.exists());
        Listener::bind(&stale).expect("a stale socket is replaced");
    }

    #[test]
    fn a_hostile_client_is_cut_off_and_cannot_crowd_others_out() {
        let tmp = tempfile::tempdir().unwrap();
        let socket = serve_in(tmp.path());
        // A line that never ends: refused once it passes the cap, not buffered forever.
        let mut long = UnixStream::connect(&socket).unwrap();
        long.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let _ = long.write_all(&vec![b'x'; 100_000]);
        let mut answer = String::new();
        let _ = long.read_to_string(&mut answer);
        assert_eq!(answer, "error the command is too long\n");

        // Clients that connect and say nothing hold at most MAX_CONNECTIONS slots; one more
        // is closed at once, and once the silent ones time out, commands work again.
        let silent: Vec<UnixStream> = (0..MAX_CONNECTIONS)
            .map(|_| UnixStream::connect(&socket).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let mut extra = UnixStream::connect(&socket).unwrap();
        extra
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let _ = writeln!(extra, "refresh");
        let mut nothing = String::new();
        let _ = extra.read_to_string(&mut nothing);
        assert_eq!(nothing, "", "over the cap: closed without an answer");
        for mut s in silent {
            s.set_read_timeout(Some(READ_TIMEOUT * 4)).unwrap();
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            assert_eq!(out, "", "a silent client is hung up on after the timeout");
        }
        assert!(matches!(send(&socket, "refresh"), Reply::Ok));
    }
}
