//! Data at rest is the guests' data: Doorpost's data directory is 0700 and every file in
//! it 0600 (database, WAL, SHM, logs, icons, web storage), and an export is a new file that
//! only its owner can read.
//!
//! Three layers, each enough on its own for the files it covers:
//! - [`restrict_new_files`] sets the process's umask to 077 at start, so whatever this
//!   process and its children create (SQLite's WAL and SHM, WebKit's storage) is private;
//! - [`crate::store::Store::open`] creates the database 0600 and makes its folder 0700
//!   (SQLite gives the WAL and SHM the database's mode);
//! - [`claim_data_dir`] fixes an existing install on start (a data directory written by an
//!   earlier Doorpost with 0755 and 0644), and only an install: a folder that holds other
//!   files and no Doorpost history (`DOORPOST_DATA_DIR=$HOME`, a plausible slip) is
//!   refused and left exactly as it was.
//!
//! Symbolic links are never followed: a link planted in the data directory or in
//! Downloads cannot make Doorpost change or overwrite a file elsewhere.
//!
//! This is the seam for file privacy: modes are a Unix idea ([`os`] on Unix). On Windows
//! the data lives in the user's own application-data folder, private by default, and
//! nothing is `chmod`ed; the rest (never overwrite, never follow a link) is the same.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub use os::restrict_new_files;
use os::{DIR_MODE, FILE_MODE, set_mode_unless_link};

#[cfg(unix)]
mod os {
    use std::fs::{File, OpenOptions, Permissions};
    use std::io;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    pub const DIR_MODE: u32 = 0o700;
    pub const FILE_MODE: u32 = 0o600;

    /// New files and folders of this process and its children: owner only.
    pub fn restrict_new_files() {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }

    /// Sets `path`'s permission bits, unless it is a symbolic link (or gone).
    pub fn set_mode_unless_link(path: &Path, mode: u32) -> io::Result<()> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if meta.file_type().is_symlink() || meta.permissions().mode() & 0o7777 == mode {
            return Ok(());
        }
        std::fs::set_permissions(path, Permissions::from_mode(mode))
    }

    /// Opens with `options`, creating the file owner-only.
    pub fn open(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
        options.mode(FILE_MODE).open(path)
    }
}

#[cfg(windows)]
mod os {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::path::Path;

    // Unused on Windows: its folders have access lists, not modes.
    pub const DIR_MODE: u32 = 0;
    pub const FILE_MODE: u32 = 0;

    /// Nothing to do: files inherit the access list of the user's own folder.
    pub fn restrict_new_files() {}

    /// Nothing to do: see [`restrict_new_files`].
    pub fn set_mode_unless_link(_path: &Path, _mode: u32) -> io::Result<()> {
        Ok(())
    }

    pub fn open(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
        options.open(path)
    }
}

/// Opens `path` for appending, creating it private if it does not exist.
pub fn append_private(path: &Path) -> io::Result<File> {
    os::open(std::fs::OpenOptions::new().create(true).append(true), path)
}

/// `dir` and its parents created if missing; `dir` itself made 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode_unless_link(dir, DIR_MODE)
}

/// Every folder under `dir` (itself included) 0700 and every other entry 0600, without
/// following symbolic links. A missing `dir` is fine: there is nothing to protect yet.
pub fn secure_tree(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => return Ok(()),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        set_mode_unless_link(&folder, DIR_MODE)?;
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                continue;
            } else if kind.is_dir() {
                stack.push(entry.path());
            } else {
                set_mode_unless_link(&entry.path(), FILE_MODE)?;
            }
        }
    }
    Ok(())
}

/// Every name Doorpost itself puts in its data directory: the history and SQLite's
/// companions, the demo's and the window's folders, the toasts' icon, the control socket
/// (where there is no runtime directory) and `doorpost doctor`'s probe. Exports go to
/// Downloads, never here.
pub const OWN_ENTRIES: &[&str] = &[
    DB_FILE,
    "doorpost.sqlite3-wal",
    "doorpost.sqlite3-shm",
    "doorpost.sqlite3-journal",
    "demo",
    "instance.lock",
    "webview",
    "doorpost-icon.png",
    "control.sock",
    ".doctor-probe",
];

/// The history's file name ([`crate::hub::DB_FILE`]): its presence makes a folder Doorpost's.
const DB_FILE: &str = crate::hub::DB_FILE;

/// Why a data directory is not taken.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(
        "{} is not Doorpost's data folder: it holds other files ({found}) and no Doorpost \
         history, so Doorpost leaves it untouched and does not start. Point \
         DOORPOST_DATA_DIR at an empty or new folder, or unset it.",
        dir.display()
    )]
    Foreign { dir: PathBuf, found: String },
    #[error("Doorpost cannot use its data folder {}: {source}", dir.display())]
    Unusable { dir: PathBuf, source: io::Error },
}

/// What a data directory is, decided before anything in it is changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDir {
    /// Missing or empty: Doorpost's from now on.
    New,
    /// Holds a Doorpost history, or only names Doorpost makes ([`OWN_ENTRIES`]).
    Doorpost,
    /// Holds other files and no history: the names found (a few, sorted).
    Foreign(Vec<String>),
}

/// Looks at `dir` without changing anything. A symbolic link to a folder is judged by
/// what it points at.
pub fn inspect_data_dir(dir: &Path) -> io::Result<DataDir> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DataDir::New),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    if names.is_empty() {
        return Ok(DataDir::New);
    }
    if names.iter().any(|n| n == DB_FILE) {
        return Ok(DataDir::Doorpost);
    }
    let mut foreign: Vec<String> = names
        .into_iter()
        .filter(|n| !OWN_ENTRIES.contains(&n.as_str()))
        .collect();
    if foreign.is_empty() {
        return Ok(DataDir::Doorpost);
    }
    foreign.sort();
    foreign.truncate(3);
    Ok(DataDir::Foreign(foreign))
}

/// Takes `dir` as Doorpost's data directory at start: a missing one is created 0700, an
/// empty one made 0700, an install's own entries ([`OWN_ENTRIES`]) made private as
/// [`secure_tree`] does. Anything else is refused before a single mode is changed. In an
/// install that shares its folder with other files (an old `DOORPOST_DATA_DIR=$HOME`),
/// only Doorpost's entries are touched, the folder itself too. A mode that cannot be
/// changed is logged and the rest still fixed.
pub fn claim_data_dir(dir: &Path) -> Result<DataDir, DataDirError> {
    let unusable = |source| DataDirError::Unusable {
        dir: dir.to_path_buf(),
        source,
    };
    let found = inspect_data_dir(dir).map_err(unusable)?;
    match &found {
        DataDir::Foreign(names) => {
            return Err(DataDirError::Foreign {
                dir: dir.to_path_buf(),
                found: names.join(", "),
            });
        }
        DataDir::New => private_dir(dir).map_err(unusable)?,
        DataDir::Doorpost => {
            let only_ours = std::fs::read_dir(dir)
                .map_err(unusable)?
                .filter_map(Result::ok)
                .all(|e| OWN_ENTRIES.contains(&e.file_name().to_string_lossy().as_ref()));
            if only_ours {
                warn_unless_ok(dir, set_mode_unless_link(dir, DIR_MODE));
            }
            for name in OWN_ENTRIES {
                let path = dir.join(name);
                let meta = match std::fs::symlink_metadata(&path) {
                    Ok(meta) => meta,
                    Err(_) => continue,
                };
                if meta.is_dir() {
                    warn_unless_ok(&path, secure_tree(&path));
                } else {
                    warn_unless_ok(&path, set_mode_unless_link(&path, FILE_MODE));
                }
            }
        }
    }
    Ok(found)
}

fn warn_unless_ok(path: &Path, result: io::Result<()>) {
    if let Err(e) = result {
        tracing::warn!("could not make {} private: {e}", path.display());
    }
}

/// The database file and SQLite's companions made 0600 (created empty and private when the
/// database does not exist yet), and its folder 0700.
pub fn private_database(db: &Path) -> io::Result<()> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        set_mode_unless_link(dir, DIR_MODE)?;
    }
    match create_new_private(db) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        set_mode_unless_link(Path::new(&name), FILE_MODE)?;
    }
    Ok(())
}

/// A new file, 0600: fails if anything (a file, a symbolic link) is at `path` already.
pub fn create_new_private(path: &Path) -> io::Result<File> {
    os::open(
        std::fs::OpenOptions::new().write(true).create_new(true),
        path,
    )
}

/// Writes `contents` to a new file `<stem>-<time>-<suffix>.<ext>` in `dir`, 0600: never
/// overwriting a file, never following a link. `time` names the moment (e.g.
/// `2026-05-02-081500`); the suffix is random, so the name cannot be guessed in advance.
pub fn write_new_unique(
    dir: &Path,
    stem: &str,
    time: &str,
    ext: &str,
    contents: &[u8],
) -> io::Result<PathBuf> {
    stream_new_unique(dir, stem, time, ext, |out| out.write_all(contents))
}

/// [`write_new_unique`] of what `write` writes, through a buffer: into a hidden partial
/// file in `dir` first, given its final name only once complete and on disk. A failure
/// leaves nothing behind, and no reader ever finds half a file under the final name.
pub fn stream_new_unique(
    dir: &Path,
    stem: &str,
    time: &str,
    ext: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let mut rng = doorpost_core::rng::Rng::seeded(unpredictable_seed());
    let (partial, file) = new_unique(dir, &mut rng, |suffix| {
        format!(".{stem}-{time}-{suffix}.{ext}.part")
    })?;
    let written = (|| {
        let mut out = io::BufWriter::new(file);
        write(&mut out)?;
        out.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()
    })()
    .and_then(|()| {
        publish(dir, &partial, &mut rng, |s| {
            format!("{stem}-{time}-{s}.{ext}")
        })
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// A random six-letter suffix no one can guess ahead.
fn suffix(rng: &mut doorpost_core::rng::Rng) -> String {
    (0..6)
        .map(|_| char::from(b"abcdefghijkmnpqrstuvwxyz23456789"[(rng.next_u64() % 32) as usize]))
        .collect()
}

fn no_free_name(dir: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free file name in {}", dir.display()),
    )
}

/// A new private file in `dir` named by `name(suffix)`, trying 16 suffixes.
fn new_unique(
    dir: &Path,
    rng: &mut doorpost_core::rng::Rng,
    name: impl Fn(&str) -> String,
) -> io::Result<(PathBuf, File)> {
    for _ in 0..16 {
        let path = dir.join(name(&suffix(rng)));
        match create_new_private(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(no_free_name(dir))
}

/// Gives the complete file at `partial` a free name `name(suffix)` in `dir`: a hard link,
/// which never replaces a file, then the partial name removed. Where the file system has
/// no hard links, a rename to a name found free.
fn publish(
    dir: &Path,
    partial: &Path,
    rng: &mut doorpost_core::rng::Rng,
    name: impl Fn(&str) -> String,
) -> io::Result<PathBuf> {
    for _ in 0..16 {
        let path = dir.join(name(&suffix(rng)));
        match std::fs::hard_link(partial, &path) {
            Ok(()) => {
                std::fs::remove_file(partial)?;
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(_) if std::fs::symlink_metadata(&path).is_err() => {
                std::fs::rename(partial, &path)?;
                return Ok(path);
            }
            Err(e) => return Err(e),
        }
    }
    Err(no_free_name(dir))
}

/// A seed no other user can predict: the OS's hash keys (random per process) over the
/// time and the process id.
fn unpredictable_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

// Modes and symbolic links as Unix has them.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs::Permissions;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    }

    #[test]
    fn an_existing_install_is_made_private_without_following_links() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let outside = tmp.path().join("outside.txt");
        std::fs::create_dir_all(data.join("webview")).unwrap();
        std::fs::write(data.join("doorpost.sqlite3"), b"x").unwrap();
        std::fs::write(data.join("webview/cookies"), b"x").unwrap();
        std::fs::write(&outside, b"x").unwrap();
        for p in [&data, &data.join("webview")] {
            std::fs::set_permissions(p, Permissions::from_mode(0o755)).unwrap();
        }
        for p in [
            &data.join("doorpost.sqlite3"),
            &data.join("webview/cookies"),
            &outside,
        ] {
            std::fs::set_permissions(p, Permissions::from_mode(0o644)).unwrap();
        }
        std::os::unix::fs::symlink(&outside, data.join("link")).unwrap();

        secure_tree(&data).unwrap();

        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("webview")), 0o700);
        assert_eq!(mode(&data.join("doorpost.sqlite3")), 0o600);
        assert_eq!(mode(&data.join("webview/cookies")), 0o600);
        assert_eq!(
            mode(&outside),
            0o644,
            "a link's target is not ours to change"
        );
    }

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_home_folder_as_data_directory_is_refused_and_left_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        std::fs::create_dir_all(home.join("Documents")).unwrap();
        std::fs::write(home.join(".bashrc"), b"export PATH").unwrap();
        std::fs::write(home.join("Documents/taxes.pdf"), b"x").unwrap();
        // An empty `demo/` is Doorpost's name, but makes no folder Doorpost's on its own.
        std::fs::create_dir(home.join("demo")).unwrap();
        set_mode(&home, 0o751);
        set_mode(&home.join(".bashrc"), 0o644);
        set_mode(&home.join("Documents"), 0o755);
        set_mode(&home.join("Documents/taxes.pdf"), 0o664);
        set_mode(&home.join("demo"), 0o775);

        let refused = claim_data_dir(&home).unwrap_err();

        let message = refused.to_string();
        assert!(message.contains(&home.display().to_string()), "{message}");
        assert!(message.contains(".bashrc"), "{message}");
        assert!(message.contains("DOORPOST_DATA_DIR"), "{message}");
        assert_eq!(mode(&home), 0o751, "the folder is not ours to change");
        assert_eq!(mode(&home.join(".bashrc")), 0o644);
        assert_eq!(mode(&home.join("Documents")), 0o755);
        assert_eq!(mode(&home.join("Documents/taxes.pdf")), 0o664);
        assert_eq!(mode(&home.join("demo")), 0o775);
        assert!(!home.join(DB_FILE).exists(), "nothing is created in it");
    }

    #[test]
    fn an_old_install_is_taken_and_its_files_made_private() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir_all(data.join("webview")).unwrap();
        std::fs::write(data.join(DB_FILE), b"x").unwrap();
        std::fs::write(data.join("doorpost.sqlite3-wal"), b"x").unwrap();
        std::fs::write(data.join("webview/cookies"), b"x").unwrap();
        set_mode(&data, 0o755);
        set_mode(&data.join("webview"), 0o755);
        for f in [DB_FILE, "doorpost.sqlite3-wal", "webview/cookies"] {
            set_mode(&data.join(f), 0o644);
        }

        assert_eq!(claim_data_dir(&data).unwrap(), DataDir::Doorpost);

        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("webview")), 0o700);
        assert_eq!(mode(&data.join(DB_FILE)), 0o600);
        assert_eq!(mode(&data.join("doorpost.sqlite3-wal")), 0o600);
        assert_eq!(mode(&data.join("webview/cookies")), 0o600);
    }

    #[test]
    fn an_install_sharing_its_folder_has_only_its_own_files_made_private() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join(DB_FILE), b"x").unwrap();
        std::fs::write(home.join("notes.txt"), b"x").unwrap();
        set_mode(&home, 0o755);
        set_mode(&home.join(DB_FILE), 0o644);
        set_mode(&home.join("notes.txt"), 0o644);

        assert_eq!(claim_data_dir(&home).unwrap(), DataDir::Doorpost);

        assert_eq!(mode(&home.join(DB_FILE)), 0o600);
        assert_eq!(mode(&home.join("notes.txt")), 0o644, "not Doorpost's");
        assert_eq!(mode(&home), 0o755, "a folder shared with other files");
    }

    #[test]
    fn an_empty_or_missing_folder_is_taken_and_made_private() {
        let tmp = tempfile::tempdir().unwrap();
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        set_mode(&empty, 0o755);
        assert_eq!(claim_data_dir(&empty).unwrap(), DataDir::New);
        assert_eq!(mode(&empty), 0o700);

        let missing = tmp.path().join("new/data");
        assert_eq!(claim_data_dir(&missing).unwrap(), DataDir::New);
        assert_eq!(mode(&missing), 0o700);
    }

    #[test]
    fn exports_are_new_private_files_that_never_follow_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let a = write_new_unique(tmp.path(), "doorpost-history", "t", "csv", b"1").unwrap();
        let b = write_new_unique(tmp.path(), "doorpost-history", "t", "csv", b"2").unwrap();
        assert_ne!(a, b, "the same second, two files");
        assert_eq!(mode(&a), 0o600);
        assert_eq!(std::fs::read(&a).unwrap(), b"1");

        let target = tmp.path().join("victim");
        std::fs::write(&target, b"keep").unwrap();
        let link = tmp.path().join("planted.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(
            create_new_private(&link).is_err(),
            "a planted link is refused"
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }

    #[test]
    fn an_export_that_fails_half_way_leaves_no_file() {
        let tmp = tempfile::tempdir().unwrap();
        let failed = stream_new_unique(tmp.path(), "doorpost-history", "t", "csv", |out| {
            out.write_all(b"half of it")?;
            Err(io::Error::other("the history went away"))
        });
        assert!(failed.is_err());
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");

        let done = stream_new_unique(tmp.path(), "doorpost-history", "t", "csv", |out| {
            out.write_all(b"all of it")
        })
        .unwrap();
        assert_eq!(mode(&done), 0o600);
        assert_eq!(std::fs::read(&done).unwrap(), b"all of it");
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [done.file_name().unwrap()], "no partial file left");
    }
}
