//! The IPC commands, declared once: each command's name, its arguments and what it answers.
//!
//! [`with_commands!`] hands the list to another macro. The shell uses it to write its
//! `#[tauri::command]` wrappers and the `generate_handler!` list, so a wrapper whose types
//! differ from the list does not compile; this module uses it for [`NAMES`] (which tests
//! check `build.rs`'s manifest and the capability file against) and for the TypeScript
//! contract, `ui/src/ipc/generated/commands.ts`, which `cargo test -p doorpost-core
//! export_bindings` writes beside the ts-rs types. The UI's `Backend` takes its methods
//! from that file, so a Rust signature the UI does not follow fails `npm run check`.
//!
//! The event names the shell emits and the error codes the UI branches on are exported in
//! the same file. Arguments cross as camelCase (Tauri's renaming), `()` as `void`, and
//! 64-bit integers as `number` (times in milliseconds, far below 2^53).

use std::collections::BTreeMap;

use ts_rs::{Config, TS};

use crate::ipc::ErrorCode;

/// Calls `$then! { … }` with every command, as
/// `/// docs` `name(arg: Type, …) -> Answer;`. Every command also fails with
/// [`crate::ipc::AppError`]; none can answer with the token.
#[macro_export]
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            /// What the window opens with: mode, status, settings, places, language.
            overview() -> $crate::ipc::Overview;
            /// One page of the history, newest first.
            history(query: $crate::ipc::HistoryQueryView) -> $crate::ipc::HistoryPageView;
            /// Every door seen, with its place and its mute.
            doors() -> Vec<$crate::ipc::DoorView>;
            /// Unlocks per local day among those `query` matches (its `from` and `to` bound
            /// the days; `before` and `limit` are ignored); days without unlocks are absent.
            daily_counts(query: $crate::ipc::HistoryQueryView) -> Vec<$crate::ipc::DayCount>;
            /// Writes the rows matching `query` to a CSV file in Downloads; answers its path.
            export_csv(query: $crate::ipc::HistoryQueryView) -> String;
            /// Validates a settings change, stores it (all or nothing) and applies it.
            save_settings(patch: $crate::settings::SettingsPatch) -> $crate::settings::Settings;
            /// The first run: checks the token against Parakey, stores it in the OS keychain
            /// and creates the first place.
            set_token(token: $crate::ipc::SecretToken) -> $crate::ipc::TokenCheck;
            /// Forgets the first place's token.
            clear_token() -> ();
            /// The simulated Parakey, with its own data directory.
            start_demo() -> ();
            /// Back to the first run; the demo's sample history is not the user's.
            leave_demo() -> ();
            /// Checks every place now.
            refresh_now() -> ();
            /// Pauses notifications: checking goes on and the history keeps filling.
            pause(request: $crate::ipc::PauseRequest) -> ();
            /// Notifications again.
            resume() -> ();
            /// Another place: its token is checked against Parakey before anything is
            /// stored. Answers the place as the window will list it.
            add_place(place: $crate::ipc::NewPlace) -> $crate::ipc::PlaceView;
            /// Renames a place or changes its notification mode; answers the place as changed.
            update_place(id: String, patch: $crate::ipc::PlacePatch) -> $crate::ipc::PlaceView;
            /// Checks a place's new token, then replaces the old one in the keychain.
            set_place_token(id: String, token: $crate::ipc::SecretToken) -> $crate::ipc::TokenCheck;
            /// Stops watching a place and deletes its token; its unlocks too when asked.
            remove_place(id: String, delete_history: bool) -> ();
            /// Mutes a door's notifications for a while (its unlocks are still kept), or
            /// unmutes it. The window refetches the doors afterwards.
            mute_door(door_id: String, request: $crate::ipc::MuteRequest) -> ();
            /// Shows a sample notification, so the user sees what one looks like.
            test_notification() -> ();
            /// Every place's booking feeds, without their links.
            feeds() -> Vec<$crate::ipc::FeedView>;
            /// Fetches and reads a feed; only a calendar that reads well is kept (its link
            /// in the keychain). Answers the feed as listed.
            add_feed(feed: $crate::ipc::NewFeed) -> $crate::ipc::FeedView;
            /// Fetches a feed now; answers how it went.
            check_feed(place_id: String, label: String) -> $crate::ipc::FeedView;
            /// Forgets a feed and its link; the stays already seen stay in the history.
            remove_feed(place_id: String, label: String) -> ();
            /// Stays not yet ended and those ended since `query.from`, soonest first.
            stays(query: $crate::ipc::StaysQuery) -> Vec<$crate::ipc::StayView>;
            /// Everyone marked staff.
            staff() -> Vec<$crate::ipc::StaffRef>;
            /// Marks a person staff at every place.
            add_staff(person: $crate::ipc::StaffRef) -> ();
            /// Unmarks a person.
            remove_staff(person: $crate::ipc::StaffRef) -> ();
        }
    };
}

/// Emitted after every sync and status change, with a [`crate::ipc::ChangedEvent`] saying
/// what changed; the window refetches what it shows of that.
pub const CHANGED_EVENT: &str = "doorpost://changed";
/// Emitted with a [`crate::ipc::OpenEvent`] when the user picks an unlock in the tray or a
/// notification.
pub const OPEN_EVENT: &str = "doorpost://open-event";
/// The tray's "Settings…" (and "Token rejected"): show Settings. No payload.
pub const OPEN_SETTINGS_EVENT: &str = "doorpost://open-settings";

/// Every event the shell emits, by the name the UI's contract gives it.
const EVENTS: [(&str, &str); 3] = [
    ("changed", CHANGED_EVENT),
    ("openEvent", OPEN_EVENT),
    ("openSettings", OPEN_SETTINGS_EVENT),
];

/// Every error code, in the order the UI lists them.
pub const ERROR_CODES: [ErrorCode; 7] = [
    ErrorCode::NotConfigured,
    ErrorCode::AuthRejected,
    ErrorCode::KeychainUnavailable,
    ErrorCode::Network,
    ErrorCode::RateLimited,
    ErrorCode::InvalidSettings,
    ErrorCode::Internal,
];

/// One command as TypeScript sees it.
#[derive(Debug)]
pub struct Signature {
    /// The Rust (and Tauri) name: `add_place`.
    pub name: &'static str,
    pub docs: Vec<&'static str>,
    /// Each argument's Rust name and TypeScript type, in order.
    pub args: Vec<(&'static str, String)>,
    pub answer: String,
    /// The exported TypeScript types it mentions: name → file (`PlaceView.ts`).
    imports: BTreeMap<String, String>,
}

/// The exported types `T` may mention: itself, its type parameters (`Vec<DoorView>`) and
/// its fields' types; [`typescript`] imports those its text names.
fn imports_of<T: TS + 'static + ?Sized>(cfg: &Config, into: &mut BTreeMap<String, String>) {
    struct Visit<'a>(&'a Config, &'a mut BTreeMap<String, String>);
    impl ts_rs::TypeVisitor for Visit<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if let Some(dep) = ts_rs::Dependency::from_ty::<U>(self.0) {
                let file = dep.output_path.to_string_lossy().into_owned();
                self.1.insert(dep.ts_name, file);
            }
            U::visit_generics(self);
        }
    }
    let mut visit = Visit(cfg, into);
    ts_rs::TypeVisitor::visit::<T>(&mut visit);
    T::visit_dependencies(&mut visit);
}

/// Whether `text` names the TypeScript type `name` (a whole word).
fn names(text: &str, name: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| word == name)
}

macro_rules! declare {
    ($( $(#[doc = $doc:expr])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $answer:ty ; )*) => {
        /// Every command's name, in declaration order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Every command's TypeScript signature.
        pub fn signatures(cfg: &Config) -> Vec<Signature> {
            vec![$({
                let mut imports = BTreeMap::new();
                $(imports_of::<$ty>(cfg, &mut imports);)*
                imports_of::<$answer>(cfg, &mut imports);
                Signature {
                    name: stringify!($name),
                    docs: vec![$($doc),*],
                    args: vec![$((stringify!($arg), <$ty as TS>::name(cfg))),*],
                    answer: <$answer as TS>::name(cfg),
                    imports,
                }
            }),*]
        }
    };
}

with_commands!(declare);

/// `add_place` → `addPlace`: Tauri's names for arguments, the UI's for methods.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `add_place` → `allow-add-place`: the permission tauri-build makes for a command.
pub fn permission(name: &str) -> String {
    format!("allow-{}", name.replace('_', "-"))
}

/// The ts-rs configuration the contract is written with: 64-bit integers as `number`.
pub fn ts_config() -> Config {
    Config::from_env().with_large_int("number")
}

fn jsdoc(out: &mut String, indent: &str, docs: &[&str]) {
    match docs {
        [] => {}
        [one] => out.push_str(&format!("{indent}/**{one} */\n")),
        many => {
            out.push_str(&format!("{indent}/**\n"));
            for line in many {
                out.push_str(&format!("{indent} *{line}\n"));
            }
            out.push_str(&format!("{indent} */\n"));
        }
    }
}

/// `ui/src/ipc/generated/commands.ts`.
pub fn typescript(cfg: &Config) -> String {
    let signatures = signatures(cfg);
    let mut out = String::from(
        "// Generated from src-tauri/crates/core/src/commands.rs by \
         `cargo test -p doorpost-core export_bindings`. Do not edit.\n\n",
    );
    ts_imports(&mut out, &signatures);
    ts_commands(&mut out, &signatures);
    ts_methods(&mut out, &signatures);
    ts_table(&mut out, &signatures);
    ts_events_and_codes(&mut out);
    out
}

/// What a command answers, in TypeScript: `()` is `void`.
fn ts_answer(s: &Signature) -> String {
    match s.answer.as_str() {
        "null" => "void".to_string(),
        other => other.to_string(),
    }
}

/// The exported types the signatures name, imported.
fn ts_imports(out: &mut String, signatures: &[Signature]) {
    let mut imports: BTreeMap<&str, &str> = signatures
        .iter()
        .flat_map(|s| {
            s.imports.iter().filter(|(name, _)| {
                names(&s.answer, name) || s.args.iter().any(|(_, ty)| names(ty, name))
            })
        })
        .map(|(name, file)| (name.as_str(), file.as_str()))
        .collect();
    imports.insert("ErrorCode", "ErrorCode.ts");
    for (name, file) in imports {
        let module = file.strip_suffix(".ts").unwrap_or(file);
        out.push_str(&format!("import type {{ {name} }} from './{module}';\n"));
    }
}

/// `Commands`: each command's arguments as Tauri takes them and its answer.
fn ts_commands(out: &mut String, signatures: &[Signature]) {
    out.push_str(
        "\n/** Each command by its Rust name: its arguments as Tauri takes them and what it \
         answers. */\nexport type Commands = {\n",
    );
    for s in signatures {
        jsdoc(out, "  ", &s.docs);
        let args = if s.args.is_empty() {
            "Record<string, never>".to_string()
        } else {
            let fields: Vec<String> = s
                .args
                .iter()
                .map(|(a, ty)| format!("{}: {ty}", camel_case(a)))
                .collect();
            format!("{{ {} }}", fields.join("; "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; answer: {} }};\n",
            s.name,
            ts_answer(s)
        ));
    }
    out.push_str("};\n\n");
}

/// `CommandMethods`: each command as a `Backend` method.
fn ts_methods(out: &mut String, signatures: &[Signature]) {
    out.push_str(
        "/** Each command as a `Backend` method: camelCase, its arguments in order. */\n\
         export interface CommandMethods {\n",
    );
    for s in signatures {
        jsdoc(out, "  ", &s.docs);
        let params: Vec<String> = s
            .args
            .iter()
            .map(|(a, ty)| format!("{}: {ty}", camel_case(a)))
            .collect();
        out.push_str(&format!(
            "  {}({}): Promise<{}>;\n",
            camel_case(s.name),
            params.join(", "),
            ts_answer(s)
        ));
    }
    out.push_str("}\n\n");
}

/// `COMMANDS`: each method's command and its arguments' names.
fn ts_table(out: &mut String, signatures: &[Signature]) {
    out.push_str(
        "/** Each method's command and the names its arguments cross with, in order. */\n\
         export const COMMANDS = {\n",
    );
    for s in signatures {
        let args: Vec<String> = s
            .args
            .iter()
            .map(|(a, _)| format!("'{}'", camel_case(a)))
            .collect();
        out.push_str(&format!(
            "  {}: {{ command: '{}', args: [{}] }},\n",
            camel_case(s.name),
            s.name,
            args.join(", ")
        ));
    }
    out.push_str("} as const satisfies { [M in keyof CommandMethods]: { command: keyof Commands; args: readonly string[] } };\n\n");
}

/// `EVENTS` and `ERROR_CODES`.
fn ts_events_and_codes(out: &mut String) {
    out.push_str("/** The events the shell emits. */\nexport const EVENTS = {\n");
    for (key, name) in EVENTS {
        out.push_str(&format!("  {key}: '{name}',\n"));
    }
    out.push_str("} as const;\n\n");

    let codes: Vec<String> = ERROR_CODES
        .iter()
        .map(|c| {
            let json = serde_json::to_string(c).expect("an error code serialises");
            format!("'{}'", json.trim_matches('"'))
        })
        .collect();
    out.push_str(&format!(
        "/** Every error code a command can fail with. */\n\
         export const ERROR_CODES: readonly ErrorCode[] = [{}];\n",
        codes.join(", ")
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Named `export_bindings_*` so CI's `cargo test -p doorpost-core export_bindings` writes
    /// it with the ts-rs types (and fails on a diff).
    #[test]
    fn export_bindings_commands() {
        let cfg = ts_config();
        let path = cfg.out_dir().join("commands.ts");
        std::fs::write(&path, typescript(&cfg)).expect("the export directory is writable");
    }

    #[test]
    fn every_command_is_listed_once() {
        let mut names = NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), NAMES.len(), "a command declared twice");
    }

    #[test]
    fn names_as_tauri_and_the_ui_spell_them() {
        assert_eq!(camel_case("delete_history"), "deleteHistory");
        assert_eq!(camel_case("overview"), "overview");
        assert_eq!(permission("add_place"), "allow-add-place");
    }

    #[test]
    fn the_drifted_commands_answer_what_the_window_reads() {
        let cfg = ts_config();
        let by_name = |n: &str| {
            signatures(&cfg)
                .into_iter()
                .find(|s| s.name == n)
                .expect("declared")
        };
        assert_eq!(by_name("add_place").answer, "PlaceView");
        assert_eq!(by_name("update_place").answer, "PlaceView");
        assert_eq!(by_name("mute_door").answer, "null");
        assert_eq!(
            by_name("daily_counts").args,
            vec![("query", "HistoryQueryView".to_string())]
        );
    }
}
