use super::*;
use crate::event::{Named, Person};
use crate::i18n::Language;
use crate::settings::{AllowedOffset, DoorFilter, DoorRule};

const NOW: Millis = Millis(1_780_000_000_000);

fn ev(id: &str, door: &str, late_mins: i64) -> EventLog {
    let created_at = NOW.minus(Millis::MINUTE);
    EventLog {
        id: id.into(),
        created_at,
        timestamp: Some(created_at.minus(late_mins * Millis::MINUTE)),
        door: Some(Named {
            id: Some(format!("id-{door}")),
            name: Some(door.into()),
        }),
        user: Some(Person {
            id: Some("U-ann".into()),
            name: Some("Ann Berg".into()),
        }),
        domain: None,
        access: None,
        kind: Some("unlock".into()),
        raw: String::new(),
    }
}

fn ctx() -> PolicyContext<'static> {
    PolicyContext::plain(Some(NOW))
}

fn run(events: &[EventLog], settings: &Settings, ctx: PolicyContext<'_>) -> NotificationPlan {
    let candidates: Vec<Candidate<'_>> = events.iter().map(|e| Candidate::plain(e, NOW)).collect();
    plan(&candidates, settings, ctx)
}

fn arrivals() -> Settings {
    Settings {
        notify_mode: NotifyMode::Arrivals,
        ..Settings::default()
    }
}

#[test]
fn fresh_unlock_on_watched_door_is_one_toast_naming_door_and_person() {
    let p = run(&[ev("a", "Front door", 0)], &Settings::default(), ctx());
    assert_eq!(p.toasts.len(), 1);
    assert_eq!(p.toasts[0].title(), "Front door");
    assert!(p.toasts[0].body().starts_with("Ann Berg unlocked at "));
    assert_eq!(p.decisions, [NotifyDecision::Pending]);
}

#[test]
fn late_upload_outside_offset_is_stored_not_notified() {
    let p = run(&[ev("a", "Front door", 11)], &Settings::default(), ctx());
    assert!(p.toasts.is_empty());
    assert_eq!(p.decisions, [NotifyDecision::Suppressed]);
    let unbounded = Settings {
        allowed_offset: AllowedOffset::Unbounded,
        ..Settings::default()
    };
    let p = run(&[ev("a", "Front door", 600)], &unbounded, ctx());
    assert_eq!(p.toasts.len(), 1);
    assert!(
        p.toasts[0].body().contains("reported 10 h late"),
        "the same words as the window's badge: {}",
        p.toasts[0].body()
    );
}

#[test]
fn disabled_notifications_toast_nothing() {
    let events: Vec<_> = (0..10).map(|i| ev(&i.to_string(), "Gym", 0)).collect();
    let off = Settings {
        notifications_enabled: false,
        ..Settings::default()
    };
    assert!(run(&events, &off, ctx()).toasts.is_empty());
}

#[test]
fn unwatched_door_is_suppressed() {
    let only = Settings {
        watched_doors: DoorFilter::Only(vec!["id-Front door".into()]),
        ..Settings::default()
    };
    let p = run(&[ev("a", "Gym", 0), ev("b", "Front door", 0)], &only, ctx());
    assert_eq!(p.toasts.len(), 1);
    assert_eq!(
        p.decisions,
        [NotifyDecision::Suppressed, NotifyDecision::Pending]
    );
}

#[test]
fn burst_is_one_summary_with_counts_plus_three_toasts() {
    let mut events: Vec<_> = (0..5)
        .map(|i| ev(&format!("f{i}"), "Front door", 0))
        .collect();
    events.extend((0..2).map(|i| ev(&format!("g{i}"), "Gym", 0)));
    let p = run(&events, &Settings::default(), ctx());
    assert_eq!(p.toasts.len(), 4);
    let Toast::Summary {
        title,
        body,
        event_ids,
        ..
    } = &p.toasts[0]
    else {
        panic!("summary first");
    };
    assert_eq!(title, "7 new unlocks");
    assert_eq!(body, "Front door 5, Gym 2");
    assert_eq!(event_ids.len(), 7);
    assert!(p.decisions.iter().all(|d| *d == NotifyDecision::Pending));
}

#[test]
fn catch_up_is_one_summary_and_one_is_singular() {
    let events: Vec<_> = (0..2).map(|i| ev(&i.to_string(), "Gym", 0)).collect();
    let away = PolicyContext {
        catch_up: true,
        ..ctx()
    };
    let p = run(&events, &Settings::default(), away);
    assert_eq!(p.toasts.len(), 1);
    assert_eq!(p.toasts[0].title(), "2 unlocks while Doorpost was away");
    let p = run(&events[..1], &Settings::default(), away);
    assert_eq!(p.toasts[0].title(), "1 unlock while Doorpost was away");
}

#[test]
fn scrubbed_user_is_someone() {
    let mut e = ev("a", "Front door", 0);
    e.user = None;
    let p = run(&[e], &Settings::default(), ctx());
    assert!(p.toasts[0].body().starts_with("Someone unlocked"));
}

#[test]
fn no_value_of_type_silences_an_alert() {
    for kind in [
        None,
        Some(""),
        Some("lockBatteryLow"),
        Some("ACCESS_GRANTED"),
        Some("💥"),
    ] {
        let mut e = ev("a", "Front door", 0);
        e.kind = kind.map(String::from);
        let p = run(&[e], &Settings::default(), ctx());
        assert_eq!(
            p.toasts.len(),
            1,
            "type {kind:?} must not silence the toast"
        );
    }
}

#[test]
fn a_row_from_the_servers_future_is_not_news() {
    let mut e = ev("a", "Front door", 0);
    e.created_at = NOW.plus(Millis::DAY);
    e.timestamp = Some(e.created_at);
    assert!(run(&[e], &Settings::default(), ctx()).toasts.is_empty());
}

#[test]
fn an_arrival_says_who_arrived_and_a_repeat_is_kept_quiet() {
    let first = ev("a", "Front door", 0);
    let again = ev("b", "Front door", 0);
    let candidates = [
        Candidate::plain(&first, NOW),
        Candidate {
            repeat: true,
            ..Candidate::plain(&again, NOW)
        },
    ];
    let p = plan(&candidates, &arrivals(), ctx());
    assert_eq!(p.toasts.len(), 1);
    assert_eq!(p.toasts[0].title(), "Ann Berg arrived");
    assert!(
        p.toasts[0].body().starts_with("Front door · "),
        "{}",
        p.toasts[0].body()
    );
    assert_eq!(
        p.decisions,
        [NotifyDecision::Pending, NotifyDecision::Suppressed]
    );
    // "Every unlock" toasts the repeat too.
    assert_eq!(
        plan(&candidates, &Settings::default(), ctx()).toasts.len(),
        2
    );
}

#[test]
fn in_arrivals_mode_an_unlock_by_nobody_in_particular_always_notifies() {
    let mut anonymous = ev("a", "Front door", 0);
    anonymous.user = None;
    let candidates = [Candidate {
        repeat: true,
        ..Candidate::plain(&anonymous, NOW)
    }];
    let p = plan(&candidates, &arrivals(), ctx());
    assert_eq!(p.toasts.len(), 1);
    assert!(p.toasts[0].body().starts_with("Someone unlocked"));
}

#[test]
fn a_door_rule_overrides_the_places_mode() {
    let mut settings = arrivals();
    settings.door_rules.push(DoorRule {
        door_id: "id-Gym".into(),
        mode: Some(NotifyMode::Every),
        always_notify: false,
    });
    let gym = ev("a", "Gym", 0);
    let candidates = [Candidate {
        repeat: true,
        ..Candidate::plain(&gym, NOW)
    }];
    assert_eq!(plan(&candidates, &settings, ctx()).toasts.len(), 1);
}

#[test]
fn quiet_hours_hold_then_one_digest_and_always_notify_breaks_through() {
    let mut settings = Settings::default();
    settings.door_rules.push(DoorRule {
        door_id: "id-Back gate".into(),
        mode: None,
        always_notify: true,
    });
    let front = ev("a", "Front door", 0);
    let gate = ev("b", "Back gate", 0);
    let night = [Candidate::plain(&front, NOW), Candidate::plain(&gate, NOW)];
    let quiet = PolicyContext {
        quiet: true,
        ..ctx()
    };
    let p = plan(&night, &settings, quiet);
    assert_eq!(p.decisions, [NotifyDecision::Hold, NotifyDecision::Pending]);
    assert_eq!(p.toasts.len(), 1, "only the always-notify door");
    // The morning: the held row (first seen inside the quiet window) makes the digest.
    let ended = PolicyContext {
        quiet_ended: Some((NOW.minus(Millis::HOUR), NOW.plus(1))),
        ..ctx()
    };
    let p = plan(&night[..1], &settings, ended);
    assert_eq!(p.toasts.len(), 1);
    assert_eq!(p.toasts[0].title(), "While you were quiet: 1 unlock");
    assert_eq!(p.toasts[0].body(), "Front door 1");
}

#[test]
fn a_muted_door_keeps_its_unlocks_untoasted() {
    let e = ev("a", "Front door", 0);
    let candidates = [Candidate {
        muted: true,
        ..Candidate::plain(&e, NOW)
    }];
    let p = plan(&candidates, &Settings::default(), ctx());
    assert!(p.toasts.is_empty());
    assert_eq!(p.decisions, [NotifyDecision::Suppressed]);
}

#[test]
fn the_place_and_the_language_show_in_the_toast() {
    let e = ev("a", "Front door", 0);
    let nb = PolicyContext {
        locale: Locale {
            lang: Language::Nb,
            twelve_hour: false,
            utc_offset_secs: 0,
        },
        place_label: Some("Harbour Loft"),
        ..ctx()
    };
    let p = run(std::slice::from_ref(&e), &Settings::default(), nb);
    assert_eq!(p.toasts[0].title(), "Harbour Loft · Front door");
    assert!(
        p.toasts[0].body().starts_with("Ann Berg låste opp kl. "),
        "{}",
        p.toasts[0].body()
    );
    let p = run(std::slice::from_ref(&e), &arrivals(), nb);
    assert_eq!(p.toasts[0].title(), "Ann Berg har kommet");
}

#[test]
fn a_hostile_name_is_cut() {
    let mut e = ev("a", &"Door ".repeat(100), 0);
    e.user = Some(Person {
        id: None,
        name: Some("x".repeat(10_000)),
    });
    let p = run(&[e], &Settings::default(), ctx());
    assert!(p.toasts[0].title().chars().count() <= MAX_TEXT);
    assert!(p.toasts[0].body().chars().count() <= MAX_TEXT * 2);
    assert!(p.toasts[0].title().ends_with('…'));
}

#[test]
fn person_keys_prefer_the_user_then_the_access_then_the_name() {
    let mut e = ev("a", "Front door", 0);
    assert_eq!(person_key(&e).as_deref(), Some("user:U-ann"));
    e.user = Some(Person {
        id: None,
        name: Some("Ann".into()),
    });
    e.access = Some(Named {
        id: Some("K1".into()),
        name: None,
    });
    assert_eq!(person_key(&e).as_deref(), Some("access:K1"));
    e.access = None;
    assert_eq!(person_key(&e).as_deref(), Some("name:Ann"));
    e.user = None;
    assert_eq!(person_key(&e), None);
}
