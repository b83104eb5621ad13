//! Faults the fake serves instead of (or before) a normal answer.
//!
//! Faults are queued FIFO and consumed one per Parakey API request (`/eventLogs` and
//! `/eventLogs/:id`, never `/_fake/*`); a seeded random draw can add more. A fault wins
//! over the token check, as a broken proxy or an overloaded backend would.

use serde::{Deserialize, Serialize};

/// One scripted misbehaviour. JSON (control API) uses serde's external tagging:
/// `{"status":503}`, `{"tooManyRequests":{"retryAfter":{"seconds":30}}}`,
/// `{"slow":2000}`, `"stall"`, `"dropConnection"`, `"truncate"`, `"malformed"`,
/// `{"redirect":{"status":302,"location":"http://127.0.0.2:9/steal"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// That status with a small JSON error body (401, 403, 500, 502, 503, ...).
    Status(u16),
    /// 429 with the given `Retry-After`.
    TooManyRequests {
        #[serde(rename = "retryAfter")]
        retry_after: RetryAfter,
    },
    /// Waits this many milliseconds, then answers normally.
    Slow(u64),
    /// Reads the request and never answers, until the client gives up or the server
    /// shuts down.
    Stall,
    /// Closes the connection without writing a byte of response.
    DropConnection,
    /// A 200 whose JSON body (the real one for the request) is cut in half. Its `ETag`
    /// is the full body's, as when a connection dies after the headers.
    Truncate,
    /// A 200 whose body is not JSON.
    Malformed,
    /// A redirect (302, 307, ...) to `location`, typically another host.
    Redirect { status: u16, location: String },
    /// A 200 whose JSON body is `bytes` long (one record with a field of padding): a
    /// broken or hostile server, or a small gzip body that inflates to a huge one.
    Oversized { bytes: usize },
}

impl Fault {
    /// A 302 to a host that is not Parakey: a client that follows it leaks the token.
    pub fn redirect_elsewhere() -> Fault {
        Fault::Redirect {
            status: 302,
            location: "http://127.0.0.2:9/steal".into(),
        }
    }
}

/// The `Retry-After` of a 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RetryAfter {
    /// `Retry-After: <n>`
    Seconds(u64),
    /// `Retry-After: <HTTP-date>` this many seconds after the server's now.
    HttpDate(u64),
    /// No header.
    Absent,
}
