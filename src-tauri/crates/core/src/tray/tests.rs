use super::*;
use crate::ipc::NotificationView;
use crate::settings::Language;

const AT_1400: i64 = 1_764_597_600_000; // 2025-12-01T14:00:00Z

fn locale(lang: Language) -> Locale {
    Locale {
        lang,
        twelve_hour: false,
        utc_offset_secs: 0,
    }
}

fn status(phase: PhaseView, last_check: Option<i64>) -> StatusView {
    StatusView {
        last_check,
        next_check: Some(AT_1400 + 5 * Millis::MINUTE),
        ..StatusView::empty(phase)
    }
}

fn row(id: &str, door: &str, user: Option<&str>, at: i64) -> HistoryRowView {
    HistoryRowView {
        id: id.into(),
        unlocked_at: at,
        created_at: at,
        timestamp: Some(at),
        door_id: Some(format!("d-{door}")),
        door: door.into(),
        user: user.map(String::from),
        notification: NotificationView::Notified,
        late_by_ms: None,
        place_id: None,
        place_name: None,
        repeat: false,
        muted: false,
        duplicate_of: None,

        stay: None,
        staff_ref: None,
        is_staff: false,
    }
}

fn door(name: &str, muted_until: Option<i64>) -> DoorView {
    DoorView {
        id: format!("d-{name}"),
        name: name.into(),
        last_unlock: AT_1400,
        count: 3,
        place_id: None,
        place_name: None,
        muted_until,
        muted_count: 0,
    }
}

fn place(name: &str, phase: PhaseView) -> TrayPlace {
    TrayPlace {
        name: name.into(),
        status: status(phase, Some(AT_1400 - 3 * Millis::MINUTE)),
        recent: vec![row(
            "e1",
            "Front door",
            Some("Ann Berg"),
            AT_1400 - 58 * Millis::MINUTE,
        )],
        doors: vec![door("Front door", None)],
        expected: Vec::new(),
    }
}

fn snapshot(lang: Language, places: Vec<TrayPlace>) -> TraySnapshot {
    TraySnapshot {
        mode: Mode::Account,
        places,
        unseen: 0,
        paused: None,
        quiet_until: None,
        now: Millis(AT_1400),
        locale: locale(lang),
    }
}

fn labels(entries: &[TrayEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| match e {
            TrayEntry::Item { label, .. } | TrayEntry::Submenu { label, .. } => label.clone(),
            TrayEntry::Separator => "---".into(),
        })
        .collect()
}

fn submenu<'a>(entries: &'a [TrayEntry], name: &str) -> &'a [TrayEntry] {
    entries
        .iter()
        .find_map(|e| match e {
            TrayEntry::Submenu { label, entries } if label.starts_with(name) => {
                Some(entries.as_slice())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no submenu {name}"))
}

fn action_of(entries: &[TrayEntry], name: &str) -> Option<TrayAction> {
    entries.iter().find_map(|e| match e {
        TrayEntry::Item { label, action } if label == name => action.clone(),
        _ => None,
    })
}

#[test]
fn one_place_reads_as_today_with_typed_actions() {
    let menu = menu(&snapshot(
        Language::En,
        vec![place("Loft", PhaseView::Idle)],
    ));
    assert_eq!(
        labels(&menu.entries),
        [
            "Checked 3 min ago",
            "---",
            "Front door · Ann Berg · 13:02",
            "---",
            "Pause notifications",
            "Mute a door",
            "Check now",
            "Open Doorpost",
            "Settings…",
            "---",
            "Quit"
        ]
    );
    assert_eq!(
        action_of(&menu.entries, "Front door · Ann Berg · 13:02"),
        Some(TrayAction::OpenEvent("e1".into()))
    );
    let pause = submenu(&menu.entries, "Pause notifications");
    assert_eq!(
        labels(pause),
        ["For 1 hour", "Until 07:00 tomorrow", "Until I resume"]
    );
    assert_eq!(
        action_of(pause, "For 1 hour"),
        Some(TrayAction::PauseNotifications(PauseRequest::OneHour))
    );
    assert_eq!(menu.look, TrayLook::Idle);
    assert_eq!(menu.tooltip, "Doorpost · Checked 3 min ago");
}

#[test]
fn norwegian_menu_speaks_norwegian() {
    let mut s = snapshot(Language::Nb, vec![place("Hytta", PhaseView::Idle)]);
    s.places[0].recent[0].user = None;
    let menu = menu(&s);
    let l = labels(&menu.entries);
    assert_eq!(l[0], "Sjekket for 3 min siden");
    assert_eq!(l[2], "Front door · Noen · 13:02");
    assert!(l.contains(&"Sett varsler på pause".to_string()), "{l:?}");
    assert!(l.contains(&"Avslutt".to_string()), "{l:?}");
}

#[test]
fn several_places_are_grouped_and_a_failing_one_shows_without_hiding_the_other() {
    let mut cabin = place("Sea cabin", PhaseView::Degraded);
    cabin.recent = vec![
        row("c1", "Gate", Some("Bo"), AT_1400 - Millis::HOUR),
        row("c2", "Gate", Some("Bo"), AT_1400 - 2 * Millis::HOUR),
        row("c3", "Gate", Some("Bo"), AT_1400 - 3 * Millis::HOUR),
        row("c4", "Gate", Some("Bo"), AT_1400 - 4 * Millis::HOUR),
    ];
    cabin.doors = vec![door("Gate", None)];
    let menu = menu(&snapshot(
        Language::En,
        vec![place("Loft", PhaseView::Idle), cabin],
    ));
    let l = labels(&menu.entries);
    assert_eq!(l[0], "Loft · Checked 3 min ago");
    assert_eq!(l[1], "Sea cabin · Can't reach Parakey · next try 14:05");
    assert_eq!(
        &l[3..9],
        [
            "Loft",
            "   Front door · Ann Berg · 13:02",
            "Sea cabin",
            "   Gate · Bo · 13:00",
            "   Gate · Bo · 12:00",
            "   Gate · Bo · 11:00",
        ],
        "at most {RECENT_PER_PLACE} per place"
    );
    assert_eq!(menu.look, TrayLook::Degraded);
    let mute = submenu(&menu.entries, "Mute a door");
    assert_eq!(labels(mute), ["Loft", "Front door", "Sea cabin", "Gate"]);
}

#[test]
fn a_muted_door_says_until_when_and_offers_unmute() {
    let mut p = place("Loft", PhaseView::Idle);
    p.doors = vec![
        door("Front door", Some(AT_1400 + Millis::HOUR)),
        door("Back gate", None),
        // A mute that has ended is no mute.
        door("Garage", Some(AT_1400 - Millis::MINUTE)),
    ];
    let menu = menu(&snapshot(Language::En, vec![p]));
    let mute = submenu(&menu.entries, "Mute a door");
    assert_eq!(
        labels(mute),
        ["Front door · muted until 15:00", "Back gate", "Garage"]
    );
    let front = submenu(mute, "Front door");
    // Until when a pause until tomorrow ends too.
    assert_eq!(
        labels(front),
        ["For 1 hour", "Until 07:00 tomorrow", "Unmute"]
    );
    assert_eq!(
        action_of(front, "Unmute"),
        Some(TrayAction::MuteDoor {
            door_id: "d-Front door".into(),
            request: MuteRequest::Unmute
        })
    );
    assert_eq!(
        labels(submenu(mute, "Back gate")),
        ["For 1 hour", "Until 07:00 tomorrow"]
    );
}

#[test]
fn paused_and_quiet_come_first_and_pause_becomes_resume() {
    let mut s = snapshot(Language::En, vec![place("Loft", PhaseView::Idle)]);
    s.quiet_until = Some(Millis(AT_1400 + 17 * Millis::HOUR));
    assert_eq!(status_lines(&s)[0], "Quiet until 07:00");
    s.paused = Some(Some(Millis(AT_1400 + Millis::HOUR)));
    let menu = menu(&s);
    let l = labels(&menu.entries);
    assert_eq!(l[0], "Notifications paused until 15:00");
    assert_eq!(
        action_of(&menu.entries, "Resume notifications (paused until 15:00)"),
        Some(TrayAction::ResumeNotifications)
    );
    s.paused = Some(None);
    assert_eq!(status_lines(&s)[0], "Notifications paused");
}

#[test]
fn before_set_up_the_menu_only_opens_and_quits() {
    let mut s = snapshot(Language::En, Vec::new());
    s.mode = Mode::Unconfigured;
    let menu = menu(&s);
    assert_eq!(
        labels(&menu.entries),
        [
            "Not set up yet",
            "---",
            "No unlocks yet",
            "---",
            "Open Doorpost",
            "Settings…",
            "---",
            "Quit"
        ]
    );
}

#[test]
fn a_rejected_token_outranks_news_and_the_demo_says_so() {
    let mut s = snapshot(Language::En, vec![place("Loft", PhaseView::AuthRejected)]);
    s.unseen = 2;
    s.mode = Mode::Demo;
    let menu = menu(&s);
    assert_eq!(menu.look, TrayLook::Error);
    assert_eq!(
        labels(&menu.entries)[0],
        "Demo · Token rejected: replace it"
    );
    s.places[0].status.phase = PhaseView::Idle;
    assert_eq!(look(&s), TrayLook::New);
}

#[test]
fn thousands_of_doors_leave_a_bounded_menu_of_the_most_recent() {
    let mut loft = place("Loft", PhaseView::Idle);
    let mut cabin = place("Cabin", PhaseView::Idle);
    let many = |prefix: &str, n: i64, newest: i64| -> Vec<DoorView> {
        (0..n)
            .map(|i| DoorView {
                last_unlock: newest - i * Millis::MINUTE,
                ..door(&format!("{prefix} {i:05}"), None)
            })
            .collect()
    };
    loft.doors = many("Loft door", 10_000, AT_1400 - Millis::HOUR);
    cabin.doors = many("Cabin door", 10_000, AT_1400);
    // An old door, muted: it stays, to be unmuted.
    loft.doors[9_999].muted_until = Some(AT_1400 + Millis::HOUR);
    let menu = menu(&snapshot(Language::En, vec![loft, cabin]));
    let mute = submenu(&menu.entries, "Mute a door");
    let doors: Vec<String> = labels(mute)
        .into_iter()
        .filter(|l| l.contains(" door "))
        .collect();
    assert_eq!(doors.len(), TRAY_DOORS, "{doors:?}");
    assert_eq!(doors[0], "Loft door 09999 · muted until 15:00");
    assert_eq!(doors[1], "Cabin door 00000", "then the most recent");
    assert_eq!(doors[TRAY_DOORS - 1], "Cabin door 00013");
    assert_eq!(
        labels(mute).last().map(String::as_str),
        Some("More in Doorpost…")
    );
    assert_eq!(
        action_of(mute, "More in Doorpost…"),
        Some(TrayAction::OpenWindow)
    );
    let total = |entries: &[TrayEntry]| -> usize {
        fn count(entries: &[TrayEntry]) -> usize {
            entries
                .iter()
                .map(|e| match e {
                    TrayEntry::Submenu { entries, .. } => 1 + count(entries),
                    _ => 1,
                })
                .sum()
        }
        count(entries)
    };
    assert!(total(&menu.entries) < 100, "{}", total(&menu.entries));
}

/// The case: at 01:30, yesterday evening's unlock read "… · 20:31" in a real
/// panel. A time on another day carries its day, as in the window; today's is the clock.
#[test]
fn an_unlock_from_another_day_says_which_day() {
    let half_past_one = AT_1400 + 11 * Millis::HOUR + 30 * Millis::MINUTE; // 01:30 next day
    let evening = AT_1400 + 6 * Millis::HOUR + 31 * Millis::MINUTE; // 20:31
    let mut p = place("Loft", PhaseView::Idle);
    p.recent = vec![
        row(
            "e2",
            "Front door",
            Some("Ingrid Solberg"),
            half_past_one - 10 * Millis::MINUTE,
        ),
        row("e1", "Front door", Some("Ingrid Solberg"), evening),
    ];
    for (lang, yesterday) in [
        (Language::En, "Yesterday 20:31"),
        (Language::Nb, "I går 20:31"),
    ] {
        let mut s = snapshot(lang, vec![p.clone()]);
        s.now = Millis(half_past_one);
        let all = labels(&menu(&s).entries);
        assert!(
            all.contains(&"Front door · Ingrid Solberg · 01:20".to_string()),
            "{all:?}"
        );
        assert!(
            all.contains(&format!("Front door · Ingrid Solberg · {yesterday}")),
            "{all:?}"
        );
    }
}

/// Every action in menu order, submenus included: what positional ids would have indexed.
fn actions_in_order(entries: &[TrayEntry]) -> Vec<TrayAction> {
    let mut out = Vec::new();
    for e in entries {
        match e {
            TrayEntry::Item {
                action: Some(a), ..
            } => out.push(a.clone()),
            TrayEntry::Submenu { entries, .. } => out.extend(actions_in_order(entries)),
            TrayEntry::Item { action: None, .. } | TrayEntry::Separator => {}
        }
    }
    out
}

#[test]
fn item_ids_name_their_action_and_survive_items_inserted_before_them() {
    let before = snapshot(Language::En, vec![place("Loft", PhaseView::Idle)]);
    // An unlock arrives at a new door: a row and a door are inserted ahead of the old ones.
    let mut after = before.clone();
    let loft = &mut after.places[0];
    loft.recent.insert(
        0,
        row("ev:2", "Back door", Some("Bo"), AT_1400 - Millis::MINUTE),
    );
    let mut back = door("Back door", None);
    back.id = "d:back".into();
    back.last_unlock = AT_1400 + Millis::MINUTE;
    loft.doors.insert(0, back);
    let (old, new) = (
        actions_in_order(&menu(&before).entries),
        actions_in_order(&menu(&after).entries),
    );

    let mute_front = TrayAction::MuteDoor {
        door_id: "d-Front door".into(),
        request: MuteRequest::OneHour,
    };
    let open_first = TrayAction::OpenEvent("e1".into());
    for kept in [&mute_front, &open_first] {
        let (at, now_at) = (
            old.iter().position(|a| a == kept).unwrap(),
            new.iter().position(|a| a == kept).unwrap(),
        );
        assert_ne!(
            at, now_at,
            "{kept:?} moved, so a positional id would be stale"
        );
        assert_ne!(
            &new[at], kept,
            "the item now at its old position does something else"
        );
    }
    assert_eq!(mute_front.id(), "mute:hour:d-Front door");
    assert_eq!(open_first.id(), "open:e1");

    // Every id resolves to its own action, in both menus, and no two actions share one.
    let mut seen = std::collections::HashMap::new();
    for action in old.iter().chain(&new) {
        let id = action.id();
        assert_eq!(TrayAction::from_id(&id).as_ref(), Some(action), "{id}");
        assert_eq!(seen.entry(id.clone()).or_insert(action), &action, "{id}");
    }
    assert!(seen.contains_key("open:ev:2") && seen.contains_key("mute:tomorrow:d:back"));
    for junk in [
        "",
        "0",
        "3",
        "text",
        "mute:hour:",
        "mute:later:d1",
        "open:",
        "quit:x",
    ] {
        assert_eq!(TrayAction::from_id(junk), None, "{junk:?} names no action");
    }
    assert_eq!(TrayAction::from_id(TEXT_ITEM_ID), None);
}

#[test]
fn todays_arrivals_show_per_place_on_the_place_clock_and_say_when_the_guest_came() {
    const OSLO_WINTER: i32 = 3600;
    let mut loft = place("Harbour Loft", PhaseView::Idle);
    loft.expected = vec![
        ExpectedArrival {
            check_in: Millis(AT_1400), // 15:00 in Oslo
            arrived_at: Some(Millis(AT_1400 + 42 * Millis::MINUTE)),
            utc_offset_secs: OSLO_WINTER,
        },
        ExpectedArrival {
            check_in: Millis(AT_1400 + 2 * Millis::HOUR),
            arrived_at: None,
            utc_offset_secs: OSLO_WINTER,
        },
    ];
    let mut cabin = place("Cabin", PhaseView::Idle);
    cabin.expected = vec![ExpectedArrival {
        check_in: Millis(AT_1400 + Millis::HOUR),
        arrived_at: None,
        utc_offset_secs: 0,
    }];
    let snap = snapshot(Language::En, vec![loft, cabin.clone()]);
    let entries = menu(&snap).entries;
    let shown = labels(&entries);
    let before_recent: Vec<&str> = shown
        .iter()
        .take_while(|l| *l != "---")
        .map(String::as_str)
        .collect();
    assert_eq!(
        before_recent,
        [
            "Harbour Loft · Checked 3 min ago",
            "Cabin · Checked 3 min ago",
            "Harbour Loft: guest arrived 15:42",
            "Harbour Loft: guest expected 17:00",
            "Cabin: guest expected 15:00",
        ]
    );
    assert_eq!(
        action_of(&entries, "Cabin: guest expected 15:00"),
        Some(TrayAction::OpenWindow),
        "like the status lines, a line opens the window"
    );
    let nb = arrival_lines(&snapshot(Language::Nb, vec![cabin.clone()]));
    assert_eq!(nb, ["Cabin: gjest ventes 15:00"]);

    let mut arrived = cabin;
    arrived.expected[0].arrived_at = Some(Millis(AT_1400 + 70 * Millis::MINUTE));
    let after = menu(&snapshot(Language::En, vec![arrived]));
    assert_ne!(
        after,
        menu(&snap),
        "an arrival changes the model, so the menu is rebuilt"
    );
    assert!(labels(&after.entries).contains(&"Cabin: guest arrived 15:10".to_string()));
}

#[test]
fn no_stay_today_adds_no_line_and_leaves_the_model_as_it_was() {
    let plain = snapshot(Language::En, vec![place("Loft", PhaseView::Idle)]);
    assert!(arrival_lines(&plain).is_empty());
    assert_eq!(labels(&menu(&plain).entries)[1], "---");
}
