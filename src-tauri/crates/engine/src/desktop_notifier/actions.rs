//! What a toast offers and what each answer means, the same on every notification system:
//! a click opens the unlock (a summary's first, a "can't check" notice's Settings), and a
//! single unlock's toast has "Mute this door for 1 hour". Each system's notifier says what
//! it can do ([`Capabilities`]) and reports answers by their action key ([`Target::chosen`]);
//! nothing here names a system.

use doorpost_core::i18n::{self, Msg};
use doorpost_core::policy::Toast;
use doorpost_core::settings::Language;

use crate::notifier::ToastAction;

/// The key of a click on the toast itself (freedesktop's name for it, which notify-rust
/// also reports for a click on Windows and macOS).
pub const OPEN_ACTION: &str = "default";
/// The action key of "Mute this door for 1 hour".
pub const MUTE_ACTION: &str = "mute-door";

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
