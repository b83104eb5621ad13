//! Where the Parakey token lives: the OS keychain, behind the [`TokenStore`] seam.
//!
//! [`OsKeychain`] keeps the token in the platform store through `keyring` 4 (the Secret
//! Service on Linux, the Keychain on macOS, the Credential Manager on Windows) under one
//! service and account. Its invariants:
//!
//! - **No plaintext fallback.** A missing or locked keychain is
//!   [`KeychainError::Unavailable`], whose message says what to do; the token is then not
//!   stored anywhere.
//! - **Bounded.** Every call runs on the process's one keychain thread, shared by every
//!   entry, and has one deadline (5 s by default) for waiting and running together, so a
//!   hung Secret Service, or one waiting for a password prompt nobody sees, cannot hang the
//!   app or pile up threads. Calls run one at a time (the store serialises them anyway);
//!   while a call the app gave up on is still running, every other call fails at once
//!   instead of queueing behind it.
//! - **A write reported as failed does not stay.** A call still queued at its deadline is
//!   dropped unrun. A `set` or `clear` that was already running when its caller gave up
//!   may still complete once the keychain answers (an unlock prompt, finally answered);
//!   then the keychain thread puts back what the entry held before, so the place the user
//!   was told had failed is not changed after all.
//! - **The token never appears in an error**: errors are built from the kind of failure,
//!   and any text that comes from the platform is scrubbed of the token.
//! - **A token knows where it was checked.** It is stored with the origin (scheme, host,
//!   port) it was validated against, as the item's `origin` attribute; the hub sends it
//!   nowhere else ([`Saved`]).
//!
//! `keyring` 4 picks its store once per process, on the first `Entry::new`; if no session
//! bus or no Secret Service exists at that moment, every later call in the process fails
//! with "No default store". So entries are created lazily (nothing touches the keychain
//! until the token is first needed), and that failure maps to `Unavailable` with a message
//! that asks for a restart after the keychain is running.
//!
//! [`MemoryTokenStore`] is the in-memory implementation for tests of other code.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use crate::http::ApiToken;

/// How long a keychain call may take before the app gives up on it.
pub const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No usable keychain: none running, locked, or not answering. The message says what
    /// to do.
    #[error("{message}")]
    Unavailable { message: String },
    /// The keychain answered but the operation failed for another reason (a malformed or
    /// duplicated entry).
    #[error("{message}")]
    Failed { message: String },
}

/// The item attribute holding the origin a token was checked against.
const ORIGIN_ATTRIBUTE: &str = "origin";

/// A stored token and the origin it was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub token: ApiToken,
    /// `None`: stored without one (by a Doorpost from before origins were kept, or a write
    /// cut short): such a token is never sent anywhere.
    pub origin: Option<String>,
}

impl Saved {
    /// The token, when it was checked against `origin`.
    pub fn for_origin(self, origin: &str) -> Option<ApiToken> {
        (self.origin.as_deref() == Some(origin)).then_some(self.token)
    }
}

/// The token's home. A trait because tests of other code supply [`MemoryTokenStore`].
pub trait TokenStore: Send + Sync {
    /// Whether a token is stored, without handing it out.
    fn is_set(&self) -> Result<bool, KeychainError>;
    fn get(&self) -> Result<Option<Saved>, KeychainError>;
    /// Stores `token`, checked against `origin` ([`crate::http::BaseUrl::origin`]),
    /// replacing any previous one.
    fn set(&self, token: &ApiToken, origin: &str) -> Result<(), KeychainError>;
    /// Removes the token; clearing an absent token succeeds.
    fn clear(&self) -> Result<(), KeychainError>;
}

/// The token in the platform keychain, under `service` and `account`, bounded as the
/// module says.
pub struct OsKeychain {
    /// The unbounded store: the platform's entry (or a stand-in, in tests).
    store: Arc<dyn TokenStore>,
    timeout: Duration,
    worker: Arc<Worker>,
}

impl OsKeychain {
    /// Touches nothing yet: the keychain is first reached by the first call.
    pub fn new(service: &str, account: &str) -> OsKeychain {
        OsKeychain::over(Arc::new(KeyringEntry {
            service: service.to_string(),
            account: account.to_string(),
        }))
    }

    /// `store`, on the process's keychain thread, with the default timeout.
    fn over(store: Arc<dyn TokenStore>) -> OsKeychain {
        static WORKER: OnceLock<Arc<Worker>> = OnceLock::new();
        OsKeychain {
            store,
            timeout: KEYCHAIN_TIMEOUT,
            worker: WORKER
                .get_or_init(|| Arc::new(Worker::new("doorpost-keychain")))
                .clone(),
        }
    }

    /// Replaces the 5 s bound on each call.
    pub fn with_timeout(mut self, timeout: Duration) -> OsKeychain {
        self.timeout = timeout;
        self
    }

    fn read<T: Send + 'static>(
        &self,
        op: impl FnOnce(&dyn TokenStore) -> Result<T, KeychainError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let store = self.store.clone();
        self.worker
            .run(self.timeout, move || op(&*store))
            .map_err(|e| self.worker_error(e))?
    }

    /// Runs `op`, a write; if it completes after its caller gave up, puts back what the
    /// entry held before it.
    fn write(
        &self,
        op: impl FnOnce(&dyn TokenStore) -> Result<(), KeychainError> + Send + 'static,
    ) -> Result<(), KeychainError> {
        let (store, undo_store) = (self.store.clone(), self.store.clone());
        let job = move || {
            let before = store.get();
            (op(&*store), before)
        };
        let undo = move |(done, before): (Result<(), KeychainError>, _)| {
            if done.is_ok() {
                restore(&*undo_store, before);
            }
        };
        match self.worker.run_undoable(self.timeout, job, undo) {
            Ok((done, _before)) => done,
            Err(e) => Err(self.worker_error(e)),
        }
    }

    fn worker_error(&self, e: WorkerError) -> KeychainError {
        match e {
            WorkerError::TimedOut | WorkerError::Stuck => not_answering(self.timeout),
            WorkerError::Gone(why) => KeychainError::Failed {
                message: format!("The keychain could not be reached: {why}."),
            },
        }
    }
}

/// Puts an entry back as it was before a write its caller gave up on.
fn restore(store: &dyn TokenStore, before: Result<Option<Saved>, KeychainError>) {
    let undone = match before {
        // Without an origin it was never sent anywhere; an empty one keeps it so.
        Ok(Some(saved)) => store.set(&saved.token, saved.origin.as_deref().unwrap_or("")),
        // What it held could not be read: it could not have been used either.
        Ok(None) | Err(_) => store.clear(),
    };
    match undone {
        Ok(()) => tracing::info!("keychain: a write given up on finished late and was undone"),
        Err(e) => tracing::warn!("keychain: a write given up on finished late: {e}"),
    }
}

impl TokenStore for OsKeychain {
    fn is_set(&self) -> Result<bool, KeychainError> {
        self.read(|store| store.is_set())
    }

    fn get(&self) -> Result<Option<Saved>, KeychainError> {
        self.read(|store| store.get())
    }

    fn set(&self, token: &ApiToken, origin: &str) -> Result<(), KeychainError> {
        let (token, origin) = (token.clone(), origin.to_string());
        self.write(move |store| store.set(&token, &origin))
    }

    fn clear(&self) -> Result<(), KeychainError> {
        self.write(|store| store.clear())
    }
}

/// The platform's entry, unbounded: every call may block as long as the store does.
struct KeyringEntry {
    service: String,
    account: String,
}

impl KeyringEntry {
    fn entry(&self) -> keyring::Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &self.account)
    }
}

impl TokenStore for KeyringEntry {
    fn is_set(&self) -> Result<bool, KeychainError> {
        // The item's attributes, not its secret: asking whether a token is there (every
        // `overview`) never moves the token out of the keychain.
        match self
            .entry()
            .and_then(|entry| entry.inner.get_attributes().map(drop))
        {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(classify(e, None)),
        }
    }

    fn get(&self) -> Result<Option<Saved>, KeychainError> {
        let read = |entry: keyring::Entry| {
            let mut attributes = entry.inner.get_attributes()?;
            let password = entry.get_password()?;
            Ok((password, attributes.remove(ORIGIN_ATTRIBUTE)))
        };
        match self.entry().and_then(read) {
            Ok((stored, origin)) => match ApiToken::new(&stored) {
                Ok(token) => Ok(Some(Saved { token, origin })),
                Err(_) => Err(KeychainError::Failed {
                    message: "The token stored in the keychain is empty or malformed. Paste \
                              your Parakey token again in Settings."
                        .to_string(),
                }),
            },
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e, None)),
        }
    }

    fn set(&self, token: &ApiToken, origin: &str) -> Result<(), KeychainError> {
        let write = |entry: keyring::Entry| {
            entry.set_password(token.expose())?;
            // Not atomic with the secret: a token left without its origin (or with an old
            // one) is refused when read, never sent elsewhere.
            let attributes = std::collections::HashMap::from([(ORIGIN_ATTRIBUTE, origin)]);
            entry.inner.update_attributes(&attributes)
        };
        self.entry()
            .and_then(write)
            .map_err(|e| classify(e, Some(token)))
    }

    fn clear(&self) -> Result<(), KeychainError> {
        match self.entry().and_then(|entry| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e, None)),
        }
    }
}

fn not_answering(timeout: Duration) -> KeychainError {
    KeychainError::Unavailable {
        message: format!(
            "The keychain did not answer within {} seconds. If it is asking for your password, \
             unlock it; otherwise check that GNOME Keyring or KWallet is running. Then try again.",
            timeout.as_secs_f32()
        ),
    }
}

/// Turns a store error into what the user can act on. Platform text is scrubbed of the
/// token (`secret`) before it is kept; secret-carrying variants are never formatted.
fn classify(e: keyring::Error, secret: Option<&ApiToken>) -> KeychainError {
    use keyring::Error as E;
    let scrub = |text: String| match secret {
        Some(t) => text.replace(t.expose(), "<redacted>"),
        None => text,
    };
    match e {
        E::NoDefaultStore => {
            let why = match keyring::Entry::store_status() {
                Err(cause) => format!(" ({})", scrub(platform_text(cause))),
                Ok(()) => String::new(),
            };
            KeychainError::Unavailable {
                message: format!(
                    "Doorpost found no keychain when it first needed one{why}. Install and \
                     unlock GNOME Keyring or KWallet, then restart Doorpost."
                ),
            }
        }
        E::NoStorageAccess(_) => KeychainError::Unavailable {
            message: "The keychain is locked. Unlock it (for example in Passwords and Keys, or \
                      by logging in again), then try again."
                .to_string(),
        },
        E::PlatformFailure(cause) => KeychainError::Unavailable {
            message: format!(
                "The keychain failed ({}). Check that GNOME Keyring or KWallet is running and \
                 unlocked, then try again.",
                scrub(cause.to_string())
            ),
        },
        E::Ambiguous(found) => KeychainError::Failed {
            message: format!(
                "The keychain holds {} Doorpost tokens for this account. Delete them in your \
                 keychain app, then paste the token again.",
                found.len()
            ),
        },
        E::BadEncoding(_) | E::BadDataFormat(..) => KeychainError::Failed {
            message: "The token stored in the keychain is unreadable. Paste your Parakey token \
                      again in Settings."
                .to_string(),
        },
        E::TooLong(..) => KeychainError::Failed {
            message: "The token is too long for this keychain.".to_string(),
        },
        other => KeychainError::Failed {
            message: format!(
                "The keychain refused the request: {}",
                scrub(other.to_string())
            ),
        },
    }
}

/// The store's own words for why it could not start, without keyring's generic prefixes.
fn platform_text(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(cause) | keyring::Error::NoStorageAccess(cause) => {
            cause.to_string()
        }
        other => other.to_string(),
    }
}

/// A token held in memory, for tests of code that needs a [`TokenStore`]. It can be made
/// to fail every call, as a missing keychain does.
#[derive(Default)]
pub struct MemoryTokenStore {
    state: Mutex<MemoryState>,
}

#[derive(Default)]
struct MemoryState {
    token: Option<Saved>,
    failure: Option<KeychainError>,
}

impl MemoryTokenStore {
    pub fn new() -> MemoryTokenStore {
        MemoryTokenStore::default()
    }

    pub fn with_token(token: ApiToken, origin: Option<&str>) -> MemoryTokenStore {
        let store = MemoryTokenStore::default();
        store.lock().token = Some(Saved {
            token,
            origin: origin.map(str::to_string),
        });
        store
    }

    /// Every later call fails with `error` (None: works again).
    pub fn fail_with(&self, error: Option<KeychainError>) {
        self.lock().failure = error;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Result<std::sync::MutexGuard<'_, MemoryState>, KeychainError> {
        let state = self.lock();
        match &state.failure {
            Some(e) => Err(e.clone()),
            None => Ok(state),
        }
    }
}

impl TokenStore for MemoryTokenStore {
    fn is_set(&self) -> Result<bool, KeychainError> {
        Ok(self.check()?.token.is_some())
    }

    fn get(&self) -> Result<Option<Saved>, KeychainError> {
        Ok(self.check()?.token.clone())
    }

    fn set(&self, token: &ApiToken, origin: &str) -> Result<(), KeychainError> {
        self.check()?.token = Some(Saved {
            token: token.clone(),
            origin: Some(origin.to_string()),
        });
        Ok(())
    }

    fn clear(&self) -> Result<(), KeychainError> {
        self.check()?.token = None;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WorkerError {
    /// The call did not finish in time.
    TimedOut,
    /// An earlier call timed out and is still running: this one was not queued.
    Stuck,
    /// The worker thread could not be started or died.
    Gone(String),
}

type Job = Box<dyn FnOnce() + Send>;

/// Where one call's answer meets its caller, whichever gives up or finishes first.
enum Slot<T> {
    Waiting,
    Done(T),
    /// The call panicked.
    Lost,
    /// The caller stopped waiting: a late answer is undone, not delivered.
    Abandoned,
}

struct Call<T> {
    slot: Mutex<Slot<T>>,
    answered: Condvar,
}

impl<T> Default for Call<T> {
    fn default() -> Self {
        Call {
            slot: Mutex::new(Slot::Waiting),
            answered: Condvar::new(),
        }
    }
}

impl<T> Call<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slot<T>> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answer, or `Waiting` at `deadline`, which then marks the call abandoned in the
    /// same step, so an answer is either taken here or undone there, never both or neither.
    fn wait_until(&self, deadline: Instant) -> Slot<T> {
        let mut slot = self.lock();
        loop {
            if matches!(*slot, Slot::Done(_) | Slot::Lost) {
                return std::mem::replace(&mut *slot, Slot::Abandoned);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                *slot = Slot::Abandoned;
                return Slot::Waiting;
            }
            slot = self
                .answered
                .wait_timeout(slot, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// Runs blocking calls one at a time on a thread of its own, each bounded by a timeout.
/// The thread starts on the first call and survives a call that panics.
pub(crate) struct Worker {
    name: &'static str,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    state: Arc<Mutex<WorkerState>>,
}

#[derive(Default)]
struct WorkerState {
    /// A call is running.
    busy: bool,
    /// A caller gave up while a call was running: until it returns, fail fast.
    hung: bool,
}

impl Worker {
    pub(crate) fn new(name: &'static str) -> Worker {
        Worker {
            name,
            jobs: Mutex::new(None),
            state: Arc::new(Mutex::new(WorkerState::default())),
        }
    }

    pub(crate) fn run<T: Send + 'static>(
        &self,
        timeout: Duration,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WorkerError> {
        self.run_undoable(timeout, f, drop)
    }

    /// Runs `f` within `timeout` (queueing and running alike). A call not started by then
    /// is dropped unrun; one that finishes after its caller gave up hands its value to
    /// `undo`, on the worker's thread, instead of to nobody.
    pub(crate) fn run_undoable<T: Send + 'static>(
        &self,
        timeout: Duration,
        f: impl FnOnce() -> T + Send + 'static,
        undo: impl FnOnce(T) + Send + 'static,
    ) -> Result<T, WorkerError> {
        {
            let state = self.lock_state();
            if state.hung && state.busy {
                return Err(WorkerError::Stuck);
            }
        }
        let deadline = Instant::now() + timeout;
        let call = Arc::new(Call::default());
        let theirs = call.clone();
        let job: Job = Box::new(move || {
            // The caller has given up: running it now would surprise everyone.
            if Instant::now() >= deadline || matches!(*theirs.lock(), Slot::Abandoned) {
                return;
            }
            let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let mut slot = theirs.lock();
            match (value, &*slot) {
                (Ok(value), Slot::Abandoned) => {
                    drop(slot);
                    undo(value);
                }
                (Ok(value), _) => *slot = Slot::Done(value),
                (Err(_), _) => *slot = Slot::Lost,
            }
            theirs.answered.notify_all();
        });
        self.submit(job)?;
        match call.wait_until(deadline) {
            Slot::Done(value) => Ok(value),
            Slot::Lost => Err(WorkerError::Gone(
                "the call failed unexpectedly (see the log)".to_string(),
            )),
            Slot::Waiting | Slot::Abandoned => {
                let mut state = self.lock_state();
                state.hung = state.busy;
                Err(WorkerError::TimedOut)
            }
        }
    }

    fn submit(&self, job: Job) -> Result<(), WorkerError> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let job = match jobs.as_ref() {
            Some(tx) => match tx.send(job) {
                Ok(()) => return Ok(()),
                // The thread is gone: start another.
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::channel::<Job>();
        let state = self.state.clone();
        let set = move |busy: bool| {
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            state.busy = busy;
            state.hung = false;
        };
        thread::Builder::new()
            .name(self.name.to_string())
            .spawn(move || {
                for job in rx {
                    set(true);
                    // A panicking call loses its answer (its caller sees `Gone`), not
                    // the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    set(false);
                }
            })
            .map_err(|e| WorkerError::Gone(format!("could not start a thread: {e}")))?;
        tx.send(job)
            .map_err(|_| WorkerError::Gone("the worker thread exited".to_string()))?;
        *jobs = Some(tx);
        Ok(())
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, WorkerState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_fails_on_demand() {
        let store = MemoryTokenStore::new();
        assert!(!store.is_set().unwrap());
        store
            .set(&ApiToken::new("abc").unwrap(), "https://api.parakey.co")
            .unwrap();
        assert!(store.is_set().unwrap());
        let saved = store.get().unwrap().unwrap();
        assert_eq!(saved.token.expose(), "abc");
        assert_eq!(saved.clone().for_origin("http://127.0.0.1:8080"), None);
        assert_eq!(
            saved.for_origin("https://api.parakey.co").unwrap().expose(),
            "abc"
        );
        let down = KeychainError::Unavailable {
            message: "No keychain".to_string(),
        };
        store.fail_with(Some(down.clone()));
        assert_eq!(store.get().unwrap_err(), down);
        store.fail_with(None);
        store.clear().unwrap();
        assert!(store.get().unwrap().is_none());
    }

    #[test]
    fn worker_times_out_a_hung_call_and_fails_fast_while_it_hangs() {
        let worker = Worker::new("test-worker");
        let (release, hung) = mpsc::channel::<()>();
        let t = Duration::from_millis(100);
        assert_eq!(
            worker.run(t, move || hung.recv().ok()),
            Err(WorkerError::TimedOut)
        );
        let before = Instant::now();
        assert_eq!(worker.run(t, || 1), Err(WorkerError::Stuck));
        assert!(
            before.elapsed() < t,
            "a stuck worker must not make callers wait"
        );
        release.send(()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match worker.run(t, || 2) {
                Ok(v) => break assert_eq!(v, 2),
                Err(_) if Instant::now() < deadline => std::thread::sleep(t),
                Err(e) => panic!("the worker did not recover: {e:?}"),
            }
        }
    }

    #[test]
    fn worker_survives_a_panicking_call() {
        let worker = Worker::new("test-worker");
        let t = Duration::from_secs(5);
        assert!(matches!(
            worker.run(t, || -> u8 { panic!("boom") }),
            Err(WorkerError::Gone(_))
        ));
        assert_eq!(worker.run(t, || 3), Ok(3));
    }

    /// A store whose calls wait while its gate is shut, as the Secret Service does behind
    /// an unlock prompt nobody has answered yet.
    #[cfg(target_os = "linux")]
    #[derive(Default)]
    struct Prompting {
        token: MemoryTokenStore,
        open: Mutex<bool>,
        opened: Condvar,
        entered: std::sync::atomic::AtomicUsize,
    }

    #[cfg(target_os = "linux")]
    impl Prompting {
        fn pass(&self) {
            self.entered
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let open = self.open.lock().unwrap();
            drop(self.opened.wait_while(open, |open| !*open).unwrap());
        }

        fn answer(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    #[cfg(target_os = "linux")]
    impl TokenStore for Prompting {
        fn is_set(&self) -> Result<bool, KeychainError> {
            self.pass();
            self.token.is_set()
        }
        fn get(&self) -> Result<Option<Saved>, KeychainError> {
            self.pass();
            self.token.get()
        }
        fn set(&self, token: &ApiToken, origin: &str) -> Result<(), KeychainError> {
            self.pass();
            self.token.set(token, origin)
        }
        fn clear(&self) -> Result<(), KeychainError> {
            self.pass();
            self.token.clear()
        }
    }

    #[cfg(target_os = "linux")]
    fn threads() -> usize {
        std::fs::read_dir("/proc/self/task").unwrap().count()
    }

    /// Waits for the keychain to answer again (the call given up on has returned).
    #[cfg(target_os = "linux")]
    fn answering(keychain: &OsKeychain) {
        for _ in 0..5_000 {
            if keychain.is_set().is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("the keychain thread never came back");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pending_unlock_prompt_keeps_one_thread_and_writes_given_up_on_do_not_land() {
        let origin = "https://api.parakey.co";
        let kept = ApiToken::new("kept").unwrap();
        let late = ApiToken::new("late").unwrap();
        let store = Arc::new(Prompting::default());
        store.token.set(&kept, origin).unwrap();
        let entry = || OsKeychain::over(store.clone()).with_timeout(Duration::from_millis(300));
        let before = threads();

        // A place's token is replaced while the keychain waits for its password; the user
        // is told it failed.
        assert!(matches!(
            entry().set(&late, origin),
            Err(KeychainError::Unavailable { .. })
        ));
        assert!(
            store.entered.load(std::sync::atomic::Ordering::SeqCst) >= 1,
            "the write was running when it was given up on"
        );
        // Every later call, on this entry or a fresh one (the app makes one per lookup),
        // is refused while that write hangs: no thread and no queued write per call.
        for _ in 0..200 {
            assert!(entry().set(&late, origin).is_err());
            assert!(entry().clear().is_err());
            assert!(entry().get().is_err());
        }
        let grown = threads().saturating_sub(before);
        assert!(
            grown < 20,
            "threads grew by {grown} for 600 calls behind one pending prompt"
        );

        // The user unlocks: the write reported as failed does not stay.
        store.answer();
        answering(&entry());
        let saved = store.token.get().unwrap().unwrap();
        assert_eq!(saved.token.expose(), "kept", "the failed write was undone");
        assert_eq!(saved.origin.as_deref(), Some(origin));
        assert_eq!(entry().get().unwrap().unwrap().token.expose(), "kept");
    }

    #[test]
    fn platform_errors_never_carry_the_token() {
        let token = ApiToken::new("s3cret-token").unwrap();
        let e = keyring::Error::PlatformFailure(Box::new(std::io::Error::other(
            "rejected secret s3cret-token",
        )));
        let msg = classify(e, Some(&token)).to_string();
        assert!(!msg.contains("s3cret-token"), "{msg}");
        let msg = classify(keyring::Error::BadEncoding(b"s3cret-token".to_vec()), None);
        assert!(!msg.to_string().contains("s3cret-token"));
    }
}
