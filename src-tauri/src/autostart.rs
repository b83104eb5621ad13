//! Starting at login, the seam: one entry per build flavour that starts Doorpost in the
//! tray, in whatever form this system reads at login ([`SCHEME`]):
//!
//! - the free Unix desktops: an XDG autostart entry,
//!   `$XDG_CONFIG_HOME/autostart/<id>.desktop`;
//! - macOS: a LaunchAgent, `~/Library/LaunchAgents/<id>.plist` (label `<id>`), which launchd
//!   runs at the next login in the graphical session;
//! - Windows: the value `<id>` under `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`.
//!
//! `<id>` is the build flavour's identifier ([`paths::IDENTIFIER`]): a debug build's entry is
//! `co.doorpost.app.dev` and runs that debug binary, so a dev build never writes or removes
//! a real install's entry. A release build on Linux runs the installed [`INSTALLED`] binary,
//! never one in a checkout that a rebuild or a clean may remove (with nothing installed
//! there is nothing to turn on, and the user is told so); on macOS and Windows, where the
//! app is wherever the user put it, it runs this binary, but not from a disk image or a
//! quarantined copy macOS moved aside, which are gone after a restart.
//!
//! A file entry is written whole (a temporary file renamed over it); a registry value is
//! written in one call. Turning it off removes the entry; nothing else is ever written. The
//! entry is the truth: the hub makes the setting follow it ([`LoginEntry`]), so removing it
//! in the system's own settings turns the setting off.
//!
//! The entries' texts are pure functions ([`entry_text`]) compiled and tested on every
//! system; only where they are written differs (`store`). The macOS and Windows stores are
//! type-checked in CI, never run there.

use std::path::{Path, PathBuf};

use doorpost_core::ipc::{AppError, ErrorCode};
use doorpost_core::settings::{FieldError, Problem};

use crate::paths;

/// The form of a login entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// A Desktop Entry file in the XDG autostart folder.
    Xdg,
    /// A launchd property list in `~/Library/LaunchAgents`.
    LaunchAgent,
    /// A command line in the registry's per-user `Run` key.
    RunValue,
}

/// This system's.
const SCHEME: Scheme = if cfg!(windows) {
    Scheme::RunValue
} else if cfg!(target_os = "macos") {
    Scheme::LaunchAgent
} else {
    Scheme::Xdg
};

/// Where the Linux package puts the binary.
pub const INSTALLED: &str = "/usr/bin/doorpost";

/// This build flavour's entry, as the hub sees it.
pub struct LoginEntry;

impl doorpost_engine::hub::Autostart for LoginEntry {
    fn set(&self, on: bool) -> Result<(), String> {
        set(on).map_err(|e| e.message)
    }

    /// `None` when the entry cannot be read (the setting then stays as stored).
    fn is_on(&self) -> Option<bool> {
        store::is_on(&entry_name(SCHEME, paths::IDENTIFIER)).ok()
    }
}

/// Turns starting at login on or off for this build flavour.
pub fn set(on: bool) -> Result<(), AppError> {
    let name = entry_name(SCHEME, paths::IDENTIFIER);
    let result = if on {
        exec().and_then(|exec| {
            let text = entry_text(SCHEME, paths::IDENTIFIER, &exec).map_err(io_error)?;
            store::enable(&name, &text).map_err(io_error)
        })
    } else {
        store::disable(&name).map_err(io_error)
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

/// The binary the entry runs: this one for a dev build, and for a release build the
/// installed one on Linux, this one elsewhere if it stays where it is.
fn exec() -> Result<PathBuf, String> {
    if cfg!(debug_assertions) {
        return std::env::current_exe().map_err(io_error);
    }
    if SCHEME != Scheme::Xdg {
        let exe = std::env::current_exe().map_err(io_error)?;
        return lasting(&exe).map(|()| exe);
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

/// Refuses a macOS binary that will not be there after a restart: one run from a mounted
/// disk image, or from the random folder Gatekeeper's App Translocation runs a quarantined
/// app from.
fn lasting(exe: &Path) -> Result<(), String> {
    let text = exe.to_string_lossy();
    if text.starts_with("/Volumes/") || text.contains("/AppTranslocation/") {
        return Err(
            "Move Doorpost to the Applications folder and open it from there first: this copy \
             is on a disk image or in a temporary place, gone after a restart."
                .to_string(),
        );
    }
    Ok(())
}

/// The entry's name where it is stored: a file name, or the registry value's name.
fn entry_name(scheme: Scheme, id: &str) -> String {
    match scheme {
        Scheme::Xdg => format!("{id}.desktop"),
        Scheme::LaunchAgent => format!("{id}.plist"),
        Scheme::RunValue => id.to_string(),
    }
}

/// The entry's text: what runs `exec --hidden` at login in that scheme. A path that cannot
/// be written there as itself (not Unicode, a control character, a `"` in a Windows
/// command line) is refused, never mangled into another command.
fn entry_text(scheme: Scheme, id: &str, exec: &Path) -> std::io::Result<String> {
    let path = exec.to_str().filter(|p| !p.chars().any(char::is_control));
    let path = match (scheme, path) {
        (Scheme::RunValue, Some(p)) if p.contains('"') => None,
        (_, path) => path,
    };
    let Some(path) = path else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} can't be written in a login entry", exec.display()),
        ));
    };
    Ok(match scheme {
        Scheme::Xdg => desktop_entry(path),
        Scheme::LaunchAgent => launch_agent(id, path),
        // Windows splits a command line at spaces outside quotes, and a backslash is
        // special only before a quote, which a path cannot end in here.
        Scheme::RunValue => format!("\"{path}\" --hidden"),
    })
}

/// The path is quoted as the Desktop Entry spec's `Exec` rules ask (with `"`, `` ` ``, `$`
/// and `\` escaped inside the quotes, then `\` escaped again for the key file, and `%`
/// doubled), so any path a user can have runs as itself. `TryExec` makes session managers
/// skip the entry once the binary is gone (the package purged: dpkg never touches files in
/// a home directory).
fn desktop_entry(path: &str) -> String {
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
    format!(
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
    )
}

/// A launchd job run once at login, in the graphical (Aqua) session only, as an
/// interactive app. The arguments are a list, so no shell ever reads the path; only XML
/// needs escaping.
fn launch_agent(label: &str, path: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \
         \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \t<key>Label</key>\n\
         \t<string>{label}</string>\n\
         \t<key>ProgramArguments</key>\n\
         \t<array>\n\
         \t\t<string>{path}</string>\n\
         \t\t<string>--hidden</string>\n\
         \t</array>\n\
         \t<key>RunAtLoad</key>\n\
         \t<true/>\n\
         \t<key>LimitLoadToSessionType</key>\n\
         \t<string>Aqua</string>\n\
         \t<key>ProcessType</key>\n\
         \t<string>Interactive</string>\n\
         </dict>\n\
         </plist>\n",
        label = xml_escape(label),
        path = xml_escape(path),
    )
}

fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Entries as files in a folder (XDG, LaunchAgents).
#[cfg(not(windows))]
mod store {
    use std::path::{Path, PathBuf};

    use super::{SCHEME, Scheme};

    pub fn enable(name: &str, text: &str) -> std::io::Result<()> {
        write_whole(&entry_dir(SCHEME), name, text)
    }

    pub fn disable(name: &str) -> std::io::Result<()> {
        remove(&entry_dir(SCHEME), name)
    }

    pub fn is_on(name: &str) -> std::io::Result<bool> {
        Ok(entry_dir(SCHEME).join(name).is_file())
    }

    /// `$XDG_CONFIG_HOME/autostart` (else `~/.config/autostart`), or
    /// `~/Library/LaunchAgents`.
    fn entry_dir(scheme: Scheme) -> PathBuf {
        let var = |name| std::env::var_os(name).filter(|d| !d.is_empty());
        let home = || var("HOME").map(PathBuf::from);
        match scheme {
            Scheme::LaunchAgent => home().unwrap_or_default().join("Library/LaunchAgents"),
            Scheme::Xdg | Scheme::RunValue => var("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| home().map(|h| h.join(".config")))
                .unwrap_or_else(|| PathBuf::from(".config"))
                .join("autostart"),
        }
    }

    /// Writes the entry whole: a session manager or launchd reading the folder meanwhile
    /// sees the old entry or the new one, never half of one.
    pub fn write_whole(dir: &Path, name: &str, text: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, dir.join(name)).inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })
    }

    /// Removes the entry; an entry already gone is not an error.
    pub fn remove(dir: &Path, name: &str) -> std::io::Result<()> {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Entries as values of the per-user `Run` key, which Explorer starts at logon (and
/// Task Manager's Startup tab can disable). Written with winreg's safe calls.
#[cfg(windows)]
mod store {
    use std::io::ErrorKind;

    use winreg::RegKey;
    use winreg::enums::{HKEY_CURRENT_USER, KEY_QUERY_VALUE, KEY_SET_VALUE};

    const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";

    pub fn enable(name: &str, command: &str) -> std::io::Result<()> {
        let (run, _) =
            RegKey::predef(HKEY_CURRENT_USER).create_subkey_with_flags(RUN, KEY_SET_VALUE)?;
        run.set_value(name, &command)
    }

    pub fn disable(name: &str) -> std::io::Result<()> {
        let removed = RegKey::predef(HKEY_CURRENT_USER)
            .open_subkey_with_flags(RUN, KEY_SET_VALUE)
            .and_then(|run| run.delete_value(name));
        match removed {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    pub fn is_on(name: &str) -> std::io::Result<bool> {
        let value = RegKey::predef(HKEY_CURRENT_USER)
            .open_subkey_with_flags(RUN, KEY_QUERY_VALUE)
            .and_then(|run| run.get_raw_value(name));
        match value {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file schemes' whole cycle, in a folder of the test's own.
    #[cfg(not(windows))]
    fn cycle(scheme: Scheme, exec: &Path) -> (Vec<std::ffi::OsString>, String) {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("entries");
        let name = entry_name(scheme, "co.doorpost.app");
        let text = entry_text(scheme, "co.doorpost.app", exec).unwrap();
        store::write_whole(&folder, &name, &text).unwrap();
        store::write_whole(&folder, &name, &text).expect("turning on twice is fine");
        let files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let written = std::fs::read_to_string(folder.join(&name)).unwrap();
        if scheme == Scheme::Xdg {
            validate(&folder.join(&name));
        }
        store::remove(&folder, &name).unwrap();
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
        store::remove(&folder, &name).expect("turning off twice is fine");
        (files, written)
    }

    #[test]
    #[cfg(not(windows))]
    fn turning_autostart_on_writes_one_entry_running_the_binary_hidden_and_off_removes_it() {
        let (files, text) = cycle(Scheme::Xdg, Path::new(INSTALLED));
        assert_eq!(
            files,
            ["co.doorpost.app.desktop"],
            "written whole, nothing left beside"
        );
        assert!(
            text.lines()
                .any(|l| l == "Exec=\"/usr/bin/doorpost\" --hidden"),
            "{text}"
        );

        let exe = "/Applications/Doorpost.app/Contents/MacOS/doorpost";
        let (files, text) = cycle(Scheme::LaunchAgent, Path::new(exe));
        assert_eq!(files, ["co.doorpost.app.plist"]);
        assert!(text.contains("<key>Label</key>\n\t<string>co.doorpost.app</string>\n"));
        assert!(text.contains(&format!(
            "<array>\n\t\t<string>{exe}</string>\n\t\t<string>--hidden</string>\n\t</array>"
        )));
        validate_plist(&text);
    }

    #[test]
    fn each_scheme_names_the_entry_after_the_build_flavour() {
        for id in ["co.doorpost.app", "co.doorpost.app.dev"] {
            assert_eq!(entry_name(Scheme::Xdg, id), format!("{id}.desktop"));
            assert_eq!(entry_name(Scheme::LaunchAgent, id), format!("{id}.plist"));
            assert_eq!(entry_name(Scheme::RunValue, id), id);
        }
        let exe = Path::new("/x/doorpost");
        let plist = entry_text(Scheme::LaunchAgent, "co.doorpost.app.dev", exe).unwrap();
        assert!(
            plist.contains("<string>co.doorpost.app.dev</string>"),
            "{plist}"
        );
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
        let awkward = Path::new(r#"/home/a b/100%/$x`y"z\w/doorpost"#);
        let text = entry_text(Scheme::Xdg, "co.doorpost.app", awkward).unwrap();
        let exec = text.lines().find(|l| l.starts_with("Exec=")).unwrap();
        assert_eq!(
            exec,
            r#"Exec="/home/a b/100%%/\\$x\\`y\\"z\\\\w/doorpost" --hidden"#
        );
        assert!(text.contains("\nTryExec=/home/a b/100%/$x`y\"z\\\\w/doorpost\n"));
        for scheme in [Scheme::Xdg, Scheme::LaunchAgent, Scheme::RunValue] {
            let refused = entry_text(scheme, "co.doorpost.app", Path::new("/tmp/new\nline"));
            assert!(
                refused.is_err(),
                "{scheme:?}: a newline would end the entry"
            );
        }
    }

    #[test]
    fn a_launch_agent_escapes_xml_and_keeps_the_path_one_argument() {
        let exe = Path::new(r#"/Users/ann/Apps & <Tools>/"Door's"/doorpost"#);
        let text = entry_text(Scheme::LaunchAgent, "co.doorpost.app", exe).unwrap();
        assert!(
            text.contains(
                "\t\t<string>/Users/ann/Apps &amp; &lt;Tools&gt;/&quot;Door&apos;s&quot;/doorpost\
                 </string>\n\t\t<string>--hidden</string>\n"
            ),
            "{text}"
        );
        validate_plist(&text);
    }

    #[test]
    fn a_run_value_quotes_the_path_and_refuses_a_quote() {
        let exe = Path::new(r"C:\Users\Ann Berg\AppData\Local\Doorpost\doorpost.exe");
        assert_eq!(
            entry_text(Scheme::RunValue, "co.doorpost.app", exe).unwrap(),
            r#""C:\Users\Ann Berg\AppData\Local\Doorpost\doorpost.exe" --hidden"#
        );
        let quoted = Path::new(r#"C:\a" --evil "\doorpost.exe"#);
        assert!(
            entry_text(Scheme::RunValue, "co.doorpost.app", quoted).is_err(),
            "a quote would end the path and start other arguments"
        );
    }

    #[test]
    fn a_copy_gone_after_a_restart_is_not_started_at_login() {
        for gone in [
            "/Volumes/Doorpost/Doorpost.app/Contents/MacOS/doorpost",
            "/private/var/folders/x/T/AppTranslocation/1A2B/d/Doorpost.app/Contents/MacOS/doorpost",
        ] {
            assert!(lasting(Path::new(gone)).is_err(), "{gone}");
        }
        let installed = Path::new("/Applications/Doorpost.app/Contents/MacOS/doorpost");
        assert_eq!(lasting(installed), Ok(()));
        let windows = Path::new(r"C:\Users\Ann\AppData\Local\Doorpost\doorpost.exe");
        assert_eq!(lasting(windows), Ok(()));
    }

    /// `desktop-file-validate` (desktop-file-utils, which `.ci/setup --test` installs) has
    /// the last word on the format where it is installed.
    #[cfg(not(windows))]
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

    /// A property list must be well-formed XML, or launchd skips it: every `<string>`
    /// closed, and nothing but entities between the tags that could open another.
    fn validate_plist(text: &str) {
        assert_eq!(
            text.matches("<string>").count(),
            text.matches("</string>").count(),
            "{text}"
        );
        for value in text.split("<string>").skip(1) {
            let value = value.split("</string>").next().unwrap();
            assert!(
                !value.contains(['<', '>', '"', '\'']),
                "unescaped markup in {value:?}"
            );
            for entity in value.split('&').skip(1) {
                assert!(
                    ["amp;", "lt;", "gt;", "quot;", "apos;"]
                        .iter()
                        .any(|e| entity.starts_with(e)),
                    "a bare & in {value:?}"
                );
            }
        }
        if let Ok(mut lint) = std::process::Command::new("xmllint")
            .args(["--noout", "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
        {
            use std::io::Write;
            lint.stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            assert!(lint.wait().unwrap().success(), "xmllint refused:\n{text}");
        }
    }
}
