//! Starting at login: one XDG autostart entry, `$XDG_CONFIG_HOME/autostart/<id>.desktop`,
//! that starts Doorpost in the tray.
//!
//! A release build's entry is `co.doorpost.app.desktop` and runs the installed
//! [`INSTALLED`] binary, never one in a checkout that a rebuild or a clean may remove; with
//! nothing installed there is nothing to turn on, and the user is told so. A debug build's
//! entry is `co.doorpost.app.dev.desktop` and runs that debug binary, so a dev build never
//! writes or removes a real install's entry. Turning it off removes the file; nothing else
//! is ever written. The entry is written whole (a temporary file renamed over it), and it is
//! the truth: the hub makes the setting follow it ([`LoginEntry`]), so removing it in the
//! desktop's own settings turns the setting off.
//!
//! This is the seam for starting at login. Only the XDG entry is done: on macOS (a login
//! item) and Windows (the `HKCU\...\Run` value) turning it on says it is not supported
//! there yet, and turning it off has nothing to remove.

use std::path::{Path, PathBuf};

use doorpost_core::ipc::{AppError, ErrorCode};
use doorpost_core::settings::{FieldError, Problem};

use crate::paths;

/// Whether this system starts XDG autostart entries (the free Unix desktops).
const XDG: bool = cfg!(all(unix, not(target_os = "macos")));

/// Where the package puts the binary.
pub const INSTALLED: &str = "/usr/bin/doorpost";

/// This build flavour's entry, as the hub sees it.
pub struct LoginEntry;

impl doorpost_engine::hub::Autostart for LoginEntry {
    fn set(&self, on: bool) -> Result<(), String> {
        set(on).map_err(|e| e.message)
    }

    fn is_on(&self) -> Option<bool> {
        XDG.then(|| is_enabled(&autostart_dir(), paths::IDENTIFIER))
    }
}

/// Whether the entry is there.
pub fn is_enabled(dir: &Path, id: &str) -> bool {
    dir.join(format!("{id}.desktop")).is_file()
}

/// Turns starting at login on or off for this build flavour.
pub fn set(on: bool) -> Result<(), AppError> {
    let dir = autostart_dir();
    let result = if !XDG {
        if on {
            Err("Starting at login is not supported on this system yet.".to_string())
        } else {
            Ok(())
        }
    } else if on {
        exec().and_then(|exec| enable(&dir, paths::IDENTIFIER, &exec).map_err(io_error))
    } else {
        disable(&dir, paths::IDENTIFIER).map_err(io_error)
    };
    result.map_err(|message| AppError {
        code: ErrorCode::InvalidSettings,
        message: message.clone(),
        fields: vec![FieldError {
            field: "autostart".into(),
            problem: Problem::Refused,
            message,
        }],
    })
}

fn io_error(e: std::io::Error) -> String {
    format!("Couldn't change starting at login: {e}")
}

/// The binary the entry runs: the installed one for a release build, this one for a dev
/// build.
fn exec() -> Result<PathBuf, String> {
    if cfg!(debug_assertions) {
        return std::env::current_exe().map_err(io_error);
    }
    let installed = Path::new(INSTALLED);
    if installed.is_file() {
        return Ok(installed.to_path_buf());
    }
    Err(format!(
        "Starting at login needs Doorpost installed ({INSTALLED} is missing): build the \
         package with `bash .ci/package` and install it (see README → Install)."
    ))
}

/// `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
fn autostart_dir() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from(".config"))
        .join("autostart")
}

/// Writes the entry whole: a session manager reading the folder meanwhile sees the old
/// entry or the new one, never half of one.
pub fn enable(dir: &Path, id: &str, exec: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = entry(exec)?;
    let partial = dir.join(format!(".{id}.desktop.partial"));
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, dir.join(format!("{id}.desktop"))).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

/// Removes the entry; an entry already gone is not an error.
pub fn disable(dir: &Path, id: &str) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(format!("{id}.desktop"))) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The entry's text. The path is quoted as the Desktop Entry spec's `Exec` rules ask (with
/// `"`, `` ` ``, `$` and `\` escaped inside the quotes, then `\` escaped again for the
/// key file, and `%` doubled), so any path a user can have runs as itself. `TryExec` makes
/// session managers skip the entry once the binary is gone (the package purged: dpkg
/// never touches files in a home directory).
fn entry(exec: &Path) -> std::io::Result<String> {
    let path = exec.to_str().filter(|p| !p.chars().any(char::is_control));
    let Some(path) = path else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} can't be written in a desktop entry", exec.display()),
        ));
    };
    let mut quoted = String::from("\"");
    for c in path.chars() {
        match c {
            '"' | '`' | '$' => quoted.extend(['\\', '\\', c]),
            '\\' => quoted.push_str("\\\\\\\\"),
            '%' => quoted.push_str("%%"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    let try_exec = path.replace('\\', "\\\\");
    Ok(format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Doorpost\n\
         Comment=Tells you the moment a guest unlocks a Parakey door\n\
         Exec={quoted} --hidden\n\
         TryExec={try_exec}\n\
         Icon={icon}\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        icon = paths::APP_ID,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turning_autostart_on_writes_one_entry_running_the_binary_hidden_and_off_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let autostart = dir.path().join("autostart");
        enable(&autostart, "co.doorpost.app", Path::new(INSTALLED)).unwrap();
        let files: Vec<_> = std::fs::read_dir(&autostart)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            files,
            ["co.doorpost.app.desktop"],
            "written whole, nothing left beside"
        );
        assert!(is_enabled(&autostart, "co.doorpost.app"));
        let text = std::fs::read_to_string(autostart.join("co.doorpost.app.desktop")).unwrap();
        assert!(
            text.lines()
                .any(|l| l == "Exec=\"/usr/bin/doorpost\" --hidden"),
            "{text}"
        );
        validate(&autostart.join("co.doorpost.app.desktop"));

        disable(&autostart, "co.doorpost.app").unwrap();
        assert_eq!(std::fs::read_dir(&autostart).unwrap().count(), 0);
        assert!(!is_enabled(&autostart, "co.doorpost.app"));
        disable(&autostart, "co.doorpost.app").expect("turning off twice is fine");
    }

    #[test]
    fn a_dev_build_has_its_own_entry() {
        if cfg!(debug_assertions) {
            assert_eq!(paths::IDENTIFIER, "co.doorpost.app.dev");
            assert_eq!(
                exec().unwrap(),
                std::env::current_exe().unwrap(),
                "a dev build's entry runs that build"
            );
        }
    }

    #[test]
    fn awkward_paths_are_quoted_for_exec() {
        let text = entry(Path::new(r#"/home/a b/100%/$x`y"z\w/doorpost"#)).unwrap();
        let exec = text.lines().find(|l| l.starts_with("Exec=")).unwrap();
        assert_eq!(
            exec,
            r#"Exec="/home/a b/100%%/\\$x\\`y\\"z\\\\w/doorpost" --hidden"#
        );
        assert!(text.contains("\nTryExec=/home/a b/100%/$x`y\"z\\\\w/doorpost\n"));
        assert!(entry(Path::new("/tmp/new\nline")).is_err());
    }

    /// `desktop-file-validate` (desktop-file-utils, which `.ci/setup --test` installs) has
    /// the last word on the format where it is installed.
    fn validate(file: &Path) {
        match std::process::Command::new("desktop-file-validate")
            .arg(file)
            .output()
        {
            Ok(out) => assert!(
                out.status.success() && out.stdout.is_empty(),
                "desktop-file-validate: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(_) => eprintln!("note: desktop-file-validate is not installed; format unchecked"),
        }
    }
}
