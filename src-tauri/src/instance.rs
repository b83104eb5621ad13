//! One running Doorpost per data directory, whether or not the session has D-Bus.
//!
//! The single-instance plugin finds an earlier instance through a D-Bus name (this build's
//! [`paths::IDENTIFIER`], so a checkout's debug build never focuses an installed app with
//! other data), and brings it forward. Without a session bus the plugin lets a second
//! instance start; two would then write one history and announce each unlock twice. So the
//! instance also holds an exclusive lock on `instance.lock` in its data directory for as
//! long as it runs (`flock` on Unix, `LockFileEx` on Windows, through the standard
//! library). The system drops the lock when the process ends, crashed or not, so a stale
//! file never keeps Doorpost from starting.

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use crate::paths;

/// The lock file's name, in the data directory.
pub const LOCK_FILE: &str = "instance.lock";

/// Held while this instance runs; dropping it (at exit) lets the next one start.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

/// Why this instance may not run.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("Doorpost is already running with the data in {0}")]
    Running(PathBuf),
    #[error("could not lock {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// Takes the lock of the data directory this process uses.
pub fn claim() -> Result<InstanceLock, Refused> {
    claim_in(&paths::data_root())
}

/// Takes the lock in `dir`, creating the folder (private) if needed.
pub fn claim_in(dir: &Path) -> Result<InstanceLock, Refused> {
    let path = dir.join(LOCK_FILE);
    let io_error = |source| Refused::Io {
        path: path.clone(),
        source,
    };
    doorpost_engine::private_files::private_dir(dir).map_err(io_error)?;
    let file = doorpost_engine::private_files::append_private(&path).map_err(io_error)?;
    match file.try_lock() {
        Ok(()) => Ok(InstanceLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(Refused::Running(dir.to_path_buf())),
        Err(TryLockError::Error(e)) => Err(io_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_on_the_same_folder_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = claim_in(dir.path()).expect("first instance");
        match claim_in(dir.path()) {
            Err(Refused::Running(found)) => assert_eq!(found, dir.path()),
            other => panic!("a second instance must be refused, got {other:?}"),
        }
        drop(first);
        claim_in(dir.path()).expect("the lock goes with the instance that held it");
    }

    #[test]
    fn other_folders_are_other_instances() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let _first = claim_in(a.path()).expect("a");
        claim_in(b.path()).expect("another data directory runs beside it");
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let _lock = claim_in(dir.path()).expect("claim");
        let mode = std::fs::metadata(dir.path().join(LOCK_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
