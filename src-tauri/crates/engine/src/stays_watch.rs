//! A place's stays in the driver (issue 16): one [`doorpost_stays::Watch`] per place,
//! rebuilt from the store each poll cycle (stays, staff, and what was decided about each
//! stay, so a restart tells nothing twice), each committed unlock marked, and the toasts
//! the marks call for.
//!
//! Toast rules (the issue's): the first non-staff unlock of a stay gives "Guest arrived"
//! instead of the plain toast (one toast per unlock) and otherwise follows the policy (it
//! waits through quiet hours, pause and mute silence it); a staff unlock toasts only with
//! `staff.notify`; an unlock while vacant and "found after all" are alerts that break
//! through quiet hours, pause and mute (unless `stays.vacant` is `quiet`: then quiet hours
//! hold them like unlocks; `off`: no vacant alert, a plain unlock). The no-show alert is
//! the driver's timer ([`StaysWatch::next_deadline`], [`StaysWatch::no_shows`]).
//!
//! Stay alerts are on for a place once one of its feeds has been read; before that the
//! place has no stays to match and every unlock is plain.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use doorpost_core::event::EventLog;
use doorpost_core::i18n::{self, Language, Locale, Msg};
use doorpost_core::ipc::MarkKind;
use doorpost_core::policy::{Candidate, NotificationPlan, NotifyDecision, Toast};
use doorpost_core::poller::Finish;
use doorpost_core::settings::{Settings, VacantAlerts};
use doorpost_core::text::cut;
use doorpost_core::time::Millis;
use doorpost_core::tray::ExpectedArrival;
use doorpost_stays::{EntryKind, PlaceRules, Stay, StayTime, Unlock, Verdict, Watch};

use crate::driver::DecisionEnv;
use crate::store::{Marks, Store, StoreError, StoredMark, StoredStay, UnlockMark};

/// How far back stays are read: late uploads of older unlocks still find their stay.
const LOOK_BACK: i64 = 14 * Millis::DAY;

/// The alert switches: `stays.vacant` and `staff.notify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    pub vacant: VacantAlerts,
    pub staff_notify: bool,
}

pub fn alerts_for(settings: &Settings) -> AlertRules {
    AlertRules {
        vacant: settings.stays_vacant,
        staff_notify: settings.staff_notify,
    }
}

/// One place's watch, as the driver keeps it between poll cycles.
#[derive(Debug, Clone)]
pub struct StaysWatch {
    /// `None` while the place has no feed read yet.
    watch: Option<Watch>,
    rules: PlaceRules,
    alerts: AlertRules,
    watching_since: DateTime<Utc>,
    stays: HashMap<String, StoredStay>,
    by_id: HashMap<i64, String>,
}

impl StaysWatch {
    /// Watching begins at `since` (wall clock): no no-show for a deadline before it.
    pub fn new(since: Millis) -> StaysWatch {
        StaysWatch {
            watch: None,
            rules: PlaceRules::default(),
            alerts: alerts_for(&Settings::default()),
            watching_since: instant(since),
            stays: HashMap::new(),
            by_id: HashMap::new(),
        }
    }

    /// Reads the place's stays, the staff and what was decided anew (each poll cycle).
    pub fn reload(
        &mut self,
        store: &Store,
        place_id: &str,
        settings: &Settings,
        now: Millis,
    ) -> Result<(), StoreError> {
        let settings = crate::stay_rules::place_settings(store, settings, place_id);
        self.rules = crate::stay_rules::rules_for(&settings);
        self.alerts = alerts_for(&settings);
        if !store.has_read_feed(place_id)? {
            self.watch = None;
            self.stays.clear();
            self.by_id.clear();
            return Ok(());
        }
        let stored = store.place_stays(place_id, Millis(now.0 - LOOK_BACK))?;
        let mut watch = Watch::new(self.rules, store.staff_set()?, self.watching_since);
        let live: Vec<Stay> = stored
            .iter()
            .filter(|s| !cancelled(s, self.rules.zone))
            .map(|s| s.stay.clone())
            .collect();
        watch.set_stays(&live);
        for s in &stored {
            watch.learned(&s.stay.uid, instant(s.first_seen_at));
            watch.restore(&s.stay.uid, s.memory);
        }
        self.by_id = stored.iter().map(|s| (s.id, s.stay.uid.clone())).collect();
        self.stays = stored
            .into_iter()
            .map(|s| (s.stay.uid.clone(), s))
            .collect();
        self.watch = Some(watch);
        Ok(())
    }

    pub fn active(&self) -> bool {
        self.watch.is_some()
    }

    /// Marks new unlocks (oldest first) and says which stays' memory changed.
    pub fn classify(&mut self, events: &[&EventLog]) -> Marks {
        let Some(watch) = self.watch.as_mut() else {
            return Marks::default();
        };
        let mut marks = Marks::default();
        let mut touched = Vec::new();
        for e in events {
            let (kind, stay) = match watch.handle_unlock(&unlock_of(e)) {
                Verdict::Arrival { stay } => (MarkKind::Arrival, Some(stay)),
                Verdict::FoundAfterAll { stay } => (MarkKind::FoundAfterAll, Some(stay)),
                Verdict::Guest { stay } => (MarkKind::Guest, Some(stay)),
                Verdict::Blocked { stay } => (MarkKind::Blocked, Some(stay)),
                Verdict::Staff => (MarkKind::Staff, None),
                Verdict::Vacant => (MarkKind::Vacant, None),
            };
            if matches!(kind, MarkKind::Arrival | MarkKind::FoundAfterAll)
                && let Some(uid) = &stay
            {
                touched.push(uid.clone());
            }
            marks.marks.push(UnlockMark {
                event_id: e.id.clone(),
                kind,
                stay,
            });
        }
        for uid in touched {
            let memory = watch.memory(&uid);
            if let Some(s) = self.stays.get_mut(&uid) {
                s.memory = memory;
            }
            marks.stays.push((uid, memory, None));
        }
        marks
    }

    /// When the next no-show falls due (wall clock), if any.
    pub fn next_deadline(&self) -> Option<Millis> {
        let at = self.watch.as_ref()?.next_deadline()?;
        Some(Millis(at.timestamp_millis()))
    }

    /// Whether quiet hours hold the no-show alert now (`stays.vacant` is `quiet`).
    pub fn no_show_waits(&self, quiet: bool) -> bool {
        quiet && self.alerts.vacant == VacantAlerts::Quiet
    }

    /// The no-shows due at `now`: the memory to keep first, then the alerts to show.
    pub fn no_shows(
        &mut self,
        now: Millis,
        place: &str,
        locale: &Locale,
    ) -> (Vec<(String, doorpost_stays::StayMemory)>, Vec<Toast>) {
        let Some(watch) = self.watch.as_mut() else {
            return (Vec::new(), Vec::new());
        };
        let due = watch.handle_timeout(instant(now));
        let kept: Vec<_> = watch
            .snapshot()
            .into_iter()
            .filter(|(uid, m)| self.stays.get(uid).is_none_or(|s| s.memory != *m))
            .collect();
        for (uid, m) in &kept {
            if let Some(s) = self.stays.get_mut(uid) {
                s.memory = *m;
            }
        }
        let check_in = clock_in(locale, self.rules.check_in, self.rules.zone, now);
        let toasts = due
            .iter()
            .filter_map(|n| self.stays.get(&n.stay))
            .map(|s| Toast::Alert {
                title: i18n::t(
                    locale.lang,
                    Msg::StayNoShowTitle,
                    &[("place", place), ("time", &check_in)],
                ),
                body: format!(
                    "{}{}",
                    i18n::t(
                        locale.lang,
                        Msg::StayNoShowBody,
                        &[("dates", &self.dates(&s.stay, locale.lang))]
                    ),
                    reference(&s.stay, locale.lang)
                ),
            })
            .collect();
        (kept, toasts)
    }

    /// The plan for the pending rows: the policy's, with stay alerts in place of the
    /// plain toasts where the marks call for them (see the module's rules).
    pub fn plan(
        &self,
        env: &DecisionEnv,
        pending: &[Candidate<'_>],
        marks: &[Option<StoredMark>],
        settings: &Settings,
        finish: Option<&Finish>,
    ) -> NotificationPlan {
        let quiet = env.quiet(settings);
        let mut decisions = vec![NotifyDecision::Suppressed; pending.len()];
        let mut alerts = Vec::new();
        let mut to_policy = Vec::new();
        for (i, c) in pending.iter().enumerate() {
            let mark = marks.get(i).copied().flatten();
            match mark.map(|m| m.kind) {
                Some(MarkKind::Staff) if !self.alerts.staff_notify => {}
                Some(MarkKind::Vacant) if self.vacant_alert(quiet, c, settings) => {
                    decisions[i] = NotifyDecision::Pending;
                    alerts.push(self.vacant_toast(c.event, env));
                }
                Some(MarkKind::FoundAfterAll) => {
                    decisions[i] = NotifyDecision::Pending;
                    alerts.push(self.found_toast(c.event, mark, env));
                }
                _ => to_policy.push(i),
            }
        }
        let candidates: Vec<Candidate<'_>> = to_policy
            .iter()
            .map(|&i| {
                let mut c = pending[i];
                if marks[i].is_some_and(|m| m.kind == MarkKind::Arrival) {
                    c.repeat = false;
                }
                c
            })
            .collect();
        let mut plan = env.plan(&candidates, settings, finish);
        for (k, &i) in to_policy.iter().enumerate() {
            decisions[i] = plan.decisions[k];
        }
        for toast in &mut plan.toasts {
            self.arrival_words(toast, pending, marks, env);
            offer_staff(toast, pending, marks);
        }
        alerts.append(&mut plan.toasts);
        NotificationPlan {
            toasts: alerts,
            decisions,
        }
    }

    fn vacant_alert(&self, quiet: bool, c: &Candidate<'_>, settings: &Settings) -> bool {
        let on_time = settings.allowed_offset.allows(c.event.report_delay_ms());
        match self.alerts.vacant {
            VacantAlerts::On => on_time,
            VacantAlerts::Quiet => on_time && !quiet,
            VacantAlerts::Off => false,
        }
    }

    /// Rewrites a single unlock's toast as "Guest arrived" when its row is an arrival.
    fn arrival_words(
        &self,
        toast: &mut Toast,
        pending: &[Candidate<'_>],
        marks: &[Option<StoredMark>],
        env: &DecisionEnv,
    ) {
        let Toast::Single {
            event_id,
            title,
            body,
            ..
        } = toast
        else {
            return;
        };
        let Some(i) = pending.iter().position(|c| c.event.id == *event_id) else {
            return;
        };
        let Some(mark) = marks[i].filter(|m| m.kind == MarkKind::Arrival) else {
            return;
        };
        let Some(stay) = self.stay_of(Some(mark)) else {
            return;
        };
        let e = pending[i].event;
        let locale = self.locale(env, e.unlocked_at());
        let lang = locale.lang;
        *title = cut(
            &i18n::t(
                lang,
                Msg::StayArrivalTitle,
                &[
                    ("place", &place_name(env)),
                    ("dates", &self.dates(stay, lang)),
                ],
            ),
            120,
        );
        let person = person(e, lang);
        *body = format!(
            "{}{}",
            i18n::t(
                lang,
                Msg::StayArrivalBody,
                &[
                    ("person", &person),
                    ("door", &door(e, lang)),
                    ("time", &locale.clock(e.unlocked_at())),
                ],
            ),
            reference(stay, lang)
        );
    }

    fn vacant_toast(&self, e: &EventLog, env: &DecisionEnv) -> Toast {
        let locale = self.locale(env, e.unlocked_at());
        let lang = locale.lang;
        Toast::Single {
            event_id: e.id.clone(),
            door_id: e.door_id().map(String::from),
            staff: e.staff_ref(),
            title: i18n::t(
                lang,
                Msg::StayVacantTitle,
                &[
                    ("door", &door(e, lang)),
                    ("time", &locale.clock(e.unlocked_at())),
                ],
            ),
            body: i18n::t(lang, Msg::StayVacantBody, &[("person", &person(e, lang))]),
        }
    }

    fn found_toast(&self, e: &EventLog, mark: Option<StoredMark>, env: &DecisionEnv) -> Toast {
        let locale = self.locale(env, e.unlocked_at());
        let lang = locale.lang;
        let dates = self
            .stay_of(mark)
            .map(|s| self.dates(s, lang))
            .unwrap_or_default();
        Toast::Single {
            event_id: e.id.clone(),
            door_id: e.door_id().map(String::from),
            staff: e.staff_ref(),
            title: i18n::t(
                lang,
                Msg::StayFoundTitle,
                &[("time", &locale.clock(e.unlocked_at()))],
            ),
            body: i18n::t(
                lang,
                Msg::StayFoundBody,
                &[("place", &place_name(env)), ("dates", &dates)],
            ),
        }
    }

    fn stay_of(&self, mark: Option<StoredMark>) -> Option<&Stay> {
        let uid = self.by_id.get(&mark?.stay_id?)?;
        self.stays.get(uid).map(|s| &s.stay)
    }

    /// The env's locale, its clock in the place's zone at `at`.
    fn locale(&self, env: &DecisionEnv, at: Millis) -> Locale {
        Locale {
            lang: env.place.language,
            twelve_hour: env.place.twelve_hour,
            utc_offset_secs: offset_at(self.rules.zone, at),
        }
    }

    /// "12–15 Dec" (English), "12.–15. des." (Norwegian), across months "30 Dec – 2 Jan".
    fn dates(&self, stay: &Stay, lang: Language) -> String {
        let (from, to) = stay.time.days(self.rules.zone);
        date_range(from, to, lang)
    }

    /// Today's bookings at the place (by the place's calendar day): check-in and when the
    /// guest arrived, on the place's clock, for the tray.
    pub fn expected_today(&self, now: Millis) -> Vec<ExpectedArrival> {
        let today = instant(now).with_timezone(&self.rules.zone).date_naive();
        let mut out: Vec<ExpectedArrival> = self
            .stays
            .values()
            .filter(|s| s.stay.kind == EntryKind::Booking && !cancelled(s, self.rules.zone))
            .filter(|s| s.stay.time.days(self.rules.zone).0 == today)
            .map(|s| {
                let start = match s.stay.time {
                    StayTime::Times { start, .. } => start,
                    StayTime::Dates { check_in, .. } => self
                        .rules
                        .zone
                        .from_local_datetime(&check_in.and_time(self.rules.check_in))
                        .earliest()
                        .map_or(instant(now), |t| t.with_timezone(&Utc)),
                };
                let check_in = Millis(start.timestamp_millis());
                ExpectedArrival {
                    check_in,
                    arrived_at: s.memory.arrived_at.map(|at| Millis(at.timestamp_millis())),
                    utc_offset_secs: offset_at(self.rules.zone, check_in),
                }
            })
            .collect();
        out.sort_by_key(|a| (a.check_in, a.arrived_at));
        out
    }
}

/// "This is staff" on a single unlock's toast at a watched place (its row has a mark), for
/// whoever unlocked, unless they are staff already.
fn offer_staff(toast: &mut Toast, pending: &[Candidate<'_>], marks: &[Option<StoredMark>]) {
    let Toast::Single {
        event_id, staff, ..
    } = toast
    else {
        return;
    };
    let Some(i) = pending.iter().position(|c| c.event.id == *event_id) else {
        return;
    };
    if marks[i].is_some_and(|m| m.kind != MarkKind::Staff) {
        *staff = pending[i].event.staff_ref();
    }
}

/// A stay its feeds stopped listing before it began: cancelled, not matched.
fn cancelled(s: &StoredStay, zone: Tz) -> bool {
    let Some(dropped) = s.dropped_at else {
        return false;
    };
    let began = match s.stay.time {
        StayTime::Times { start, .. } => start,
        StayTime::Dates { check_in, .. } => zone
            .from_local_datetime(&check_in.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc)),
    };
    instant(dropped) < began
}

fn instant(at: Millis) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(at.0).unwrap_or_default()
}

fn offset_at(zone: Tz, at: Millis) -> i32 {
    zone.offset_from_utc_datetime(&instant(at).naive_utc())
        .fix()
        .local_minus_utc()
}

/// A time of day on the place's clock, in the locale's hour cycle.
fn clock_in(locale: &Locale, time: chrono::NaiveTime, zone: Tz, now: Millis) -> String {
    let day = instant(now).with_timezone(&zone).date_naive();
    let at = zone
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map_or(now, |t| Millis(t.timestamp_millis()));
    Locale {
        utc_offset_secs: offset_at(zone, at),
        ..*locale
    }
    .clock(at)
}

fn unlock_of(e: &EventLog) -> Unlock {
    let user = e.user.as_ref();
    Unlock {
        at: instant(e.unlocked_at()),
        name: user.and_then(|u| u.name.clone()),
        user_id: user.and_then(|u| u.id.clone()),
        access_id: e.access.as_ref().and_then(|a| a.id.clone()),
    }
}

fn person(e: &EventLog, lang: Language) -> String {
    match e.user.as_ref().and_then(|u| u.name.as_deref()) {
        Some(name) => cut(name, 60),
        None => i18n::template(lang, Msg::Someone).to_owned(),
    }
}

fn door(e: &EventLog, lang: Language) -> String {
    match e
        .door
        .as_ref()
        .and_then(|d| d.name.as_deref().or(d.id.as_deref()))
    {
        Some(d) => cut(d, 60),
        None => i18n::template(lang, Msg::UnknownDoor).to_owned(),
    }
}

fn place_name(env: &DecisionEnv) -> String {
    let name = env.place.name.as_deref().or(env.place.label.as_deref());
    cut(name.unwrap_or("Doorpost"), 40)
}

/// " · reservation HMXK4T9Q2B" or " · phone …4821", where the feed has them.
fn reference(stay: &Stay, lang: Language) -> String {
    if let Some(code) = &stay.reservation_code {
        i18n::t(lang, Msg::StayCode, &[("code", &cut(code, 30))])
    } else if let Some(digits) = &stay.phone_last4 {
        i18n::t(lang, Msg::StayPhone, &[("digits", &cut(digits, 8))])
    } else {
        String::new()
    }
}

fn date_range(from: NaiveDate, to: NaiveDate, lang: Language) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const NB: [&str; 12] = [
        "jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.",
        "des.",
    ];
    let month = |d: NaiveDate| match lang {
        Language::En => EN[d.month0() as usize],
        Language::Nb => NB[d.month0() as usize],
    };
    let dot = if lang == Language::Nb { "." } else { "" };
    if from.month() == to.month() && from.year() == to.year() {
        format!("{}{dot}–{}{dot} {}", from.day(), to.day(), month(to))
    } else {
        format!(
            "{}{dot} {} – {}{dot} {}",
            from.day(),
            month(from),
            to.day(),
            month(to)
        )
    }
}

#[cfg(test)]
mod rules_tests {
    use super::*;
    use crate::stay_rules::rules_for;
    use doorpost_core::settings::{ClockTime, SettingsPatch};

    #[test]
    fn a_place_own_stays_settings_make_its_rules() {
        let own = SettingsPatch {
            stays_checkin: Some(ClockTime::of(16, 30)),
            stays_noshow: Some(None),
            stays_buffer_mins: Some(15),
            stays_timezone: Some(Some("America/New_York".into())),
            stays_vacant: Some(VacantAlerts::Quiet),
            staff_notify: Some(true),
            ..SettingsPatch::default()
        };
        let settings = Settings::default().for_place(&own);
        let rules = rules_for(&settings);
        let hm = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(rules.check_in, hm(16, 30));
        assert_eq!(rules.check_out, hm(11, 0), "the user's own check-out");
        assert_eq!(rules.no_show, None, "no-show alerts off at this place");
        assert_eq!(rules.buffer, chrono::TimeDelta::minutes(15));
        assert_eq!(rules.zone, chrono_tz::America::New_York);
        let alerts = alerts_for(&settings);
        assert_eq!(alerts.vacant, VacantAlerts::Quiet);
        assert!(alerts.staff_notify);
        let plain = rules_for(&Settings::default());
        assert_eq!(plain.no_show, Some(hm(22, 0)));
        assert_eq!(plain.check_in, hm(15, 0));
    }
}
