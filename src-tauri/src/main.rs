// Doorpost's one binary: the tray app, and the command-line tools beside it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    doorpost_app::main()
}
