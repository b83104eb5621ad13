//! `doorpost staff list|add|remove`: the people whose unlocks are never an arrival, at
//! every place. By name as Parakey shows it (case and spaces aside), by Parakey's user id
//! (`--id`), or by an access's id (`--access`). Stored in the history database; the
//! running Doorpost is told to apply the change at once.

use std::process::ExitCode;

use clap::Subcommand;
use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::{StaffKind, StaffRef};
use doorpost_core::text::terminal_safe;
use doorpost_engine::http::wall_now;
use doorpost_engine::store::{MAX_STAFF_CHARS, normal_staff};

use crate::cli::{fail, language, open_store, tell_running};

#[derive(Subcommand)]
pub enum StaffAction {
    /// Everyone marked staff: how (name, user or access) and by what, one a line.
    List,
    /// Mark a person staff.
    Add(Who),
    /// No longer staff.
    Remove(Who),
}

/// A person: by name, or by `--id` (Parakey's user id), or by `--access` (an access's id).
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
pub struct Who {
    /// The name as Parakey shows it.
    name: Option<String>,
    /// Parakey's user id.
    #[arg(long)]
    id: Option<String>,
    /// An access's id, where Parakey names no user.
    #[arg(long)]
    access: Option<String>,
}

impl Who {
    fn person(self) -> StaffRef {
        let (kind, value) = match (self.name, self.id, self.access) {
            (_, Some(id), _) => (StaffKind::User, id),
            (_, _, Some(access)) => (StaffKind::Access, access),
            (name, _, _) => (StaffKind::Name, name.unwrap_or_default()),
        };
        StaffRef { kind, value }
    }
}

fn kind_word(kind: StaffKind) -> &'static str {
    match kind {
        StaffKind::Name => "name",
        StaffKind::User => "user",
        StaffKind::Access => "access",
    }
}

pub fn run(action: StaffAction) -> ExitCode {
    let mut store = match open_store() {
        Ok(s) => s,
        Err(e) => return fail(&e, 1),
    };
    let lang = language(&store.load_settings().unwrap_or_default());
    let (person, adding) = match action {
        StaffAction::List => {
            let staff = match store.staff() {
                Ok(staff) => staff,
                Err(e) => return fail(&e.to_string(), 1),
            };
            if staff.is_empty() {
                eprintln!("{}", i18n::t(lang, Msg::StaffNone, &[]));
            }
            for p in staff {
                println!("{}\t{}", kind_word(p.kind), terminal_safe(&p.value));
            }
            return ExitCode::SUCCESS;
        }
        StaffAction::Add(who) => (who.person(), true),
        StaffAction::Remove(who) => (who.person(), false),
    };
    let Some(person) = normal_staff(&person) else {
        let max = MAX_STAFF_CHARS.to_string();
        return fail(&i18n::t(lang, Msg::StaffInvalid, &[("max", &max)]), 2);
    };
    let changed = match adding {
        true => store.add_staff(&person, wall_now()),
        false => store.remove_staff(&person),
    };
    let who = [("who", person.value.as_str())];
    match changed {
        Err(e) => fail(&e.to_string(), 1),
        Ok(false) if !adding => fail(&i18n::t(lang, Msg::StaffNotFound, &who), 1),
        Ok(_) => {
            let msg = if adding {
                Msg::StaffAdded
            } else {
                Msg::StaffRemoved
            };
            eprintln!("{}", terminal_safe(&i18n::t(lang, msg, &who)));
            drop(store);
            tell_running(lang);
            ExitCode::SUCCESS
        }
    }
}
