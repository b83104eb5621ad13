//! What a toast offers and what each answer means, the same on every notification system:
//! a click opens the unlock (a summary's first, a "can't check" notice's Settings), a
//! single unlock's toast has "Mute this door for 1 hour", and where the place's stays are
//! watched (an arrival, an unlock while vacant, a guest's later unlock) "This is staff",
//! which marks the person who unlocked staff (undone from History, Settings or
//! `doorpost staff remove`). Each system's notifier says what
//! it can do ([`Capabilities`]) and reports answers by their action key ([`Target::chosen`]);
//! nothing here names a system.

use doorpost_core::i18n::{self, Msg};
use doorpost_core::ipc::StaffRef;
use doorpost_core::policy::Toast;
use doorpost_core::settings::Language;

use crate::notifier::ToastAction;

/// The key of a click on the toast itself (freedesktop's name for it, which notify-rust
/// also reports for a click on Windows and macOS).
pub const OPEN_ACTION: &str = "default";
/// The action key of "Mute this door for 1 hour".
pub const MUTE_ACTION: &str = "mute-door";
/// The action key of "This is staff".
pub const STAFF_ACTION: &str = "this-is-staff";

/// What a notification system can do with a toast's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// A click on the toast is reported only when the toast offers [`OPEN_ACTION`], which
    /// the system then does not draw as a button (freedesktop). Otherwise a click is
    /// always reported, and every action offered is a button.
    pub click_is_offered: bool,
}

/// What a toast's actions act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub event_id: Option<String>,
    /// The door a single unlock's toast can mute.
    pub door_id: Option<String>,
    /// A "can't check" notice: a click opens Settings, where the cause is fixed.
    pub settings: bool,
    /// Who a stay alert's unlock was by, whom "This is staff" marks.
    pub staff: Option<StaffRef>,
}

impl Target {
    pub fn of(toast: &Toast) -> Target {
        Target {
            event_id: toast.event_ids().first().map(|id| id.to_string()),
            door_id: match toast {
                Toast::Single { door_id, .. } => door_id.clone(),
                Toast::Summary { .. } | Toast::Alert { .. } => None,
            },
            settings: matches!(toast, Toast::Alert { .. }),
            staff: match toast {
                Toast::Single { staff, .. } => staff.clone(),
                Toast::Summary { .. } | Toast::Alert { .. } => None,
            },
        }
    }

    /// The actions to put on the toast, `(key, label)`, in the user's language.
    pub fn actions(
        &self,
        capabilities: Capabilities,
        language: Language,
    ) -> Vec<(&'static str, &'static str)> {
        let mut actions = Vec::new();
        if capabilities.click_is_offered {
            if self.event_id.is_some() {
                actions.push((OPEN_ACTION, i18n::template(language, Msg::TrayOpen)));
            } else if self.settings {
                actions.push((OPEN_ACTION, i18n::template(language, Msg::TraySettings)));
            }
        }
        if self.door_id.is_some() {
            actions.push((MUTE_ACTION, i18n::template(language, Msg::MuteDoorHour)));
        }
        if self.staff.is_some() {
            actions.push((STAFF_ACTION, i18n::template(language, Msg::ThisIsStaff)));
        }
        actions
    }

    /// What the user chose, from the key of the action they invoked; `None` for a key
    /// this toast did not offer.
    pub fn chosen(self, action: &str) -> Option<ToastAction> {
        match (action, self) {
            (
                OPEN_ACTION,
                Target {
                    event_id: Some(id), ..
                },
            ) => Some(ToastAction::Open(id)),
            (OPEN_ACTION, Target { settings: true, .. }) => Some(ToastAction::OpenSettings),
            (
                MUTE_ACTION,
                Target {
                    door_id: Some(door),
                    ..
                },
            ) => Some(ToastAction::MuteDoor(door)),
            (
                STAFF_ACTION,
                Target {
                    staff: Some(person),
                    ..
                },
            ) => Some(ToastAction::MarkStaff(person)),
            _ => None,
        }
    }
}

/// The action key of a response notify-rust reports (Windows, macOS); `None` when the
/// toast was closed without a choice. Compiled everywhere so that Linux tests it; only the
/// systems whose answers come on notify-rust's handle use it.
#[cfg_attr(all(unix, not(target_os = "macos")), allow(dead_code))]
pub fn response_key(response: &notify_rust::NotificationResponse) -> Option<&str> {
    use notify_rust::NotificationResponse as R;
    match response {
        R::Default => Some(OPEN_ACTION),
        R::Action(key) => Some(key),
        R::Reply(_) | R::Closed(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use doorpost_core::policy::SummaryReason;
    use notify_rust::{CloseReason, NotificationResponse};

    use super::*;

    fn unlock(door: Option<&str>) -> Toast {
        Toast::Single {
            event_id: "e1".into(),
            door_id: door.map(String::from),
            staff: None,
            title: "Ann Berg".into(),
            body: "Front door".into(),
        }
    }

    const LISTED: Capabilities = Capabilities {
        click_is_offered: true,
    };
    const BUTTONS: Capabilities = Capabilities {
        click_is_offered: false,
    };

    #[test]
    fn an_unlock_offers_open_and_mute_and_answers_each() {
        let target = Target::of(&unlock(Some("d1")));
        assert_eq!(
            target.actions(LISTED, Language::En),
            [
                (OPEN_ACTION, "Open Doorpost"),
                (MUTE_ACTION, "Mute this door for 1 hour")
            ]
        );
        assert_eq!(
            target.actions(BUTTONS, Language::En),
            [(MUTE_ACTION, "Mute this door for 1 hour")],
            "where a click always answers, Open is no button"
        );
        assert_ne!(
            target.actions(BUTTONS, Language::Nb),
            target.actions(BUTTONS, Language::En),
            "the label follows the language"
        );
        assert_eq!(
            target.clone().chosen(OPEN_ACTION),
            Some(ToastAction::Open("e1".into()))
        );
        assert_eq!(
            target.clone().chosen(MUTE_ACTION),
            Some(ToastAction::MuteDoor("d1".into()))
        );
        assert_eq!(target.chosen("something-else"), None);
    }

    #[test]
    fn only_a_single_unlock_with_a_door_can_be_muted() {
        let summary = Toast::Summary {
            reason: SummaryReason::Burst,
            event_ids: vec!["e1".into(), "e2".into()],
            title: "3 unlocks".into(),
            body: String::new(),
        };
        for toast in [unlock(None), summary] {
            let target = Target::of(&toast);
            assert!(
                target.actions(BUTTONS, Language::En).is_empty(),
                "{toast:?}"
            );
            assert_eq!(target.clone().chosen(MUTE_ACTION), None);
            assert_eq!(
                target.chosen(OPEN_ACTION),
                Some(ToastAction::Open("e1".into())),
                "a summary opens its first unlock"
            );
        }
    }

    fn stay_alert(staff: Option<StaffRef>) -> Toast {
        Toast::Single {
            event_id: "e7".into(),
            door_id: Some("d1".into()),
            staff,
            title: "Guest arrived · Harbour Loft · stay 12–15 Dec".into(),
            body: "Ann Berg · Front door · 15:42".into(),
        }
    }

    #[test]
    fn a_stay_alert_offers_this_is_staff_for_its_person() {
        let ann = StaffRef {
            kind: doorpost_core::ipc::StaffKind::User,
            value: "THC6P98RmM".into(),
        };
        let target = Target::of(&stay_alert(Some(ann.clone())));
        assert_eq!(
            target.actions(LISTED, Language::En),
            [
                (OPEN_ACTION, "Open Doorpost"),
                (MUTE_ACTION, "Mute this door for 1 hour"),
                (STAFF_ACTION, "This is staff"),
            ]
        );
        assert_eq!(
            target.actions(BUTTONS, Language::Nb),
            [
                (MUTE_ACTION, "Demp denne døren i 1 time"),
                (STAFF_ACTION, "Dette er personale"),
            ],
            "buttons only, in Norwegian"
        );
        assert_eq!(
            target.clone().chosen(STAFF_ACTION),
            Some(ToastAction::MarkStaff(ann))
        );
        assert_eq!(
            target.chosen(MUTE_ACTION),
            Some(ToastAction::MuteDoor("d1".into())),
            "muting still answers"
        );
    }

    #[test]
    fn this_is_staff_only_where_a_person_is_known() {
        for toast in [
            stay_alert(None),
            unlock(Some("d1")),
            Toast::Alert {
                title: "No arrival yet at Harbour Loft for today's stay (check-in 15:00)".into(),
                body: String::new(),
            },
        ] {
            let target = Target::of(&toast);
            assert!(
                target
                    .actions(LISTED, Language::En)
                    .iter()
                    .all(|(key, _)| *key != STAFF_ACTION),
                "{toast:?}"
            );
            assert_eq!(target.chosen(STAFF_ACTION), None, "{toast:?}");
        }
    }

    #[test]
    fn a_cant_check_notice_opens_settings() {
        let alert = Target::of(&Toast::Alert {
            title: "Doorpost can't check Loft".into(),
            body: String::new(),
        });
        assert_eq!(
            alert.actions(LISTED, Language::En),
            [(OPEN_ACTION, "Settings…")]
        );
        assert_eq!(alert.chosen(OPEN_ACTION), Some(ToastAction::OpenSettings));
    }

    #[test]
    fn a_click_or_a_button_is_a_key_and_a_close_is_none() {
        assert_eq!(
            response_key(&NotificationResponse::Default),
            Some(OPEN_ACTION)
        );
        assert_eq!(
            response_key(&NotificationResponse::Action(MUTE_ACTION.into())),
            Some(MUTE_ACTION)
        );
        for closed in [CloseReason::Expired, CloseReason::Dismissed] {
            assert_eq!(response_key(&NotificationResponse::Closed(closed)), None);
        }
        assert_eq!(
            response_key(&NotificationResponse::Reply("hi".into())),
            None
        );
    }
}
