//! The process's own hygiene, behind one seam: no core dump, and a secret typed at a
//! terminal not echoed.
//!
//! A crash (`panic = "abort"` in release) would otherwise leave a memory image holding
//! every place's token and the guests' rows with systemd-coredump or apport, for days, and
//! bug reports attach such images. So at start the process makes itself non-dumpable
//! (`PR_SET_DUMPABLE` 0: no core, and no same-user ptrace or `/proc/<pid>/mem` read) and
//! sets its core size limit to 0, which its children (WebKit's processes) inherit and
//! systemd-coredump honours. Linux only; elsewhere these do nothing (yet).

use std::io::{self, BufRead, Read};

/// Longest secret line read from standard input: a runaway input is not read whole.
pub const MAX_SECRET_LINE: u64 = 4096;

/// No core dump of this process or its children, from here on. Call first thing.
pub fn forbid_core_dumps() -> io::Result<()> {
    os::forbid_core_dumps()
}

/// One line from standard input, at most [`MAX_SECRET_LINE`] bytes, without its line end,
/// after `prompt` on standard error. When standard input is a terminal, what is typed is
/// not echoed (from before the prompt shows, restored afterwards).
pub fn read_secret_line(prompt: Option<&str>) -> io::Result<String> {
    let mut line = String::new();
    {
        let _quiet = os::EchoOff::on_terminal();
        if let Some(prompt) = prompt {
            eprintln!("{prompt}");
        }
        io::stdin()
            .lock()
            .take(MAX_SECRET_LINE)
            .read_line(&mut line)?;
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

#[cfg(target_os = "linux")]
mod os {
    use std::io;

    use rustix::process::{DumpableBehavior, Resource, Rlimit};
    use rustix::termios::{self, LocalModes, OptionalActions, Termios};

    pub fn forbid_core_dumps() -> io::Result<()> {
        rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
        rustix::process::setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )?;
        Ok(())
    }

    /// Echo turned off on the terminal on standard input while this lives.
    pub struct EchoOff(Option<Termios>);

    impl EchoOff {
        pub fn on_terminal() -> EchoOff {
            let stdin = rustix::stdio::stdin();
            if !termios::isatty(stdin) {
                return EchoOff(None);
            }
            let Ok(before) = termios::tcgetattr(stdin) else {
                return EchoOff(None);
            };
            let mut quiet = before.clone();
            quiet.local_modes.remove(LocalModes::ECHO);
            // Still show the line end, so the next message starts on a line of its own.
            quiet.local_modes.insert(LocalModes::ECHONL);
            match termios::tcsetattr(stdin, OptionalActions::Now, &quiet) {
                Ok(()) => EchoOff(Some(before)),
                Err(_) => EchoOff(None),
            }
        }
    }

    impl Drop for EchoOff {
        fn drop(&mut self) {
            if let Some(before) = &self.0 {
                let _ = termios::tcsetattr(rustix::stdio::stdin(), OptionalActions::Now, before);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod os {
    use std::io;

    pub fn forbid_core_dumps() -> io::Result<()> {
        Ok(())
    }

    pub struct EchoOff;

    impl EchoOff {
        pub fn on_terminal() -> EchoOff {
            EchoOff
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn core_dumps_are_forbidden_for_the_process_and_its_children() {
        // Changes this test process only: its dumpable flag and core limit.
        forbid_core_dumps().unwrap();
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
    }
}
