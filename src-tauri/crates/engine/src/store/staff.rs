//! Staff (`staff`): people whose unlocks are never an arrival, at every place. Names are
//! stored trimmed and lower-cased, as the matching compares them; ids as Parakey gives them.

use doorpost_core::event::MAX_NAME_CHARS;
use doorpost_core::ipc::{StaffKind, StaffRef};
use doorpost_core::time::Millis;
use rusqlite::params;

use super::{Result, Store};

/// Longest name or id a person is marked staff by, in characters.
pub const MAX_STAFF_CHARS: usize = MAX_NAME_CHARS;

fn kind_text(kind: StaffKind) -> &'static str {
    match kind {
        StaffKind::Name => "name",
        StaffKind::User => "user",
        StaffKind::Access => "access",
    }
}

/// `person` as stored: a name trimmed and lower-cased, an id trimmed; `None` when empty or
/// longer than [`MAX_STAFF_CHARS`].
pub fn normal_staff(person: &StaffRef) -> Option<StaffRef> {
    let value = person.value.trim();
    let value = match person.kind {
        StaffKind::Name => value.to_lowercase(),
        StaffKind::User | StaffKind::Access => value.to_string(),
    };
    let length = value.chars().count();
    (length > 0 && length <= MAX_STAFF_CHARS).then_some(StaffRef {
        kind: person.kind,
        value,
    })
}

impl Store {
    /// Everyone marked staff, by kind then value.
    pub fn staff(&self) -> Result<Vec<StaffRef>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, value FROM staff ORDER BY kind, value")?;
        let rows = stmt.query_map([], |r| {
            let kind = match r.get_ref(0)?.as_str()? {
                "user" => StaffKind::User,
                "access" => StaffKind::Access,
                _ => StaffKind::Name,
            };
            Ok(StaffRef {
                kind,
                value: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The staff as the matching reads them.
    pub fn staff_set(&self) -> Result<doorpost_stays::Staff> {
        let mut staff = doorpost_stays::Staff::default();
        for person in self.staff()? {
            match person.kind {
                StaffKind::Name => staff.add_name(&person.value),
                StaffKind::User => staff.add_user_id(&person.value),
                StaffKind::Access => staff.add_access_id(&person.value),
            }
        }
        Ok(staff)
    }

    /// Marks `person` (already [`normal_staff`]) staff; true when they were not yet.
    pub fn add_staff(&mut self, person: &StaffRef, now: Millis) -> Result<bool> {
        self.set_durable(true)?;
        let added = self.conn.execute(
            "INSERT INTO staff (kind, value, added_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (kind, value) DO NOTHING",
            params![kind_text(person.kind), person.value, now.0],
        )?;
        Ok(added > 0)
    }

    /// No longer staff; true when they were.
    pub fn remove_staff(&mut self, person: &StaffRef) -> Result<bool> {
        self.set_durable(true)?;
        let removed = self.conn.execute(
            "DELETE FROM staff WHERE kind = ?1 AND value = ?2",
            params![kind_text(person.kind), person.value],
        )?;
        Ok(removed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(kind: StaffKind, value: &str) -> StaffRef {
        StaffRef {
            kind,
            value: value.into(),
        }
    }

    #[test]
    fn names_are_kept_as_matching_compares_them_and_adding_twice_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let anna = normal_staff(&person(StaffKind::Name, "  Åse Berg ")).unwrap();
        assert_eq!(anna.value, "åse berg");
        assert!(store.add_staff(&anna, Millis(1)).unwrap());
        assert!(!store.add_staff(&anna, Millis(2)).unwrap(), "already staff");
        let user = normal_staff(&person(StaffKind::User, " U1 ")).unwrap();
        assert_eq!(user.value, "U1", "ids keep their case");
        store.add_staff(&user, Millis(3)).unwrap();
        assert_eq!(store.staff().unwrap(), [anna.clone(), user.clone()]);
        assert!(normal_staff(&person(StaffKind::Access, "  ")).is_none());
        let long = "x".repeat(MAX_STAFF_CHARS + 1);
        assert!(normal_staff(&person(StaffKind::Name, &long)).is_none());

        let set = store.staff_set().unwrap();
        let unlock = |name: &str, user: Option<&str>| doorpost_stays::Unlock {
            at: chrono::DateTime::UNIX_EPOCH,
            name: Some(name.into()),
            user_id: user.map(String::from),
            access_id: None,
        };
        assert!(set.contains(&unlock("ÅSE BERG", None)));
        assert!(set.contains(&unlock("Guest", Some("U1"))));
        assert!(!set.contains(&unlock("Guest", Some("u1"))));

        assert!(store.remove_staff(&anna).unwrap());
        assert!(!store.remove_staff(&anna).unwrap(), "gone already");
        assert_eq!(store.staff().unwrap(), [user]);
    }
}
