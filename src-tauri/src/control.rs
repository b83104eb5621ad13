//! The control socket: how the command line reaches the running instance without a
//! display. One line in (`refresh`: check now; `reload`: the settings or places changed;
//! `settings`: the settings in force, as JSON), one line out (`ok`, `ok <answer>` or
//! `error <message>`).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// What the client learned.
pub enum Reply {
    /// Done (an answer, when the command has one, is for tools that speak the protocol).
    Ok,
    Refused(String),
    NotRunning,
}

/// Sends one command to the running instance.
pub fn send(socket: &Path, command: &str) -> Reply {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return Reply::NotRunning;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    if writeln!(stream, "{command}").is_err() {
        return Reply::NotRunning;
    }
    let mut line = String::new();
    match BufReader::new(stream).read_line(&mut line) {
        Ok(n) if n > 0 => {
            let line = line.trim_end();
            match line.strip_prefix("error ") {
                Some(msg) => Reply::Refused(msg.to_string()),
                None => Reply::Ok,
            }
        }
        _ => Reply::NotRunning,
    }
}

/// Serves the socket until the app exits; `handle` answers each command line.
pub async fn serve<F, Fut>(socket: std::path::PathBuf, handle: F)
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<String, String>> + Send,
{
    // A stale socket from a crashed run is in the way; the single-instance plugin has
    // already made sure no other instance is alive.
    let _ = std::fs::remove_file(&socket);
    let listener = match tokio::net::UnixListener::bind(&socket) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(
                "control socket unavailable ({e}); `doorpost refresh` will not reach this instance"
            );
            return;
        }
    };
    let handle = std::sync::Arc::new(handle);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let handle = std::sync::Arc::clone(&handle);
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = tokio::io::BufReader::new(read).lines();
            if let Ok(Some(line)) = lines.next_line().await {
                let reply = match handle(line.trim().to_string()).await {
                    Ok(answer) if answer.is_empty() => "ok\n".to_string(),
                    Ok(answer) => format!("ok {}\n", answer.replace('\n', " ")),
                    Err(e) => format!("error {}\n", e.replace('\n', " ")),
                };
                let _ = write.write_all(reply.as_bytes()).await;
            }
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
