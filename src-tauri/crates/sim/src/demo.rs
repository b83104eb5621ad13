//! Demo mode's place: "Harbour Loft", a small short-let building, with a week of history
//! and a trickle of live unlocks.
//!
//! Everything is a pure function of a seed and `now`, so a test (or a screenshot) can
//! replay it. The history has what a real place has: guests coming and going at
//! plausible hours, a cleaner on changeover days, gym sessions, and a back gate lock
//! that is sometimes offline and uploads hours late. A late upload may even arrive
//! after `now`: it then appears during the demo, as a real one would.

use std::time::Duration;

use doorpost_core::Millis;
use doorpost_core::rng::Rng;

use super::FakeControl;
use super::events::{EventSpec, Resource, UserSpec};

/// What a person is to the place; decides their key and habits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Guest,
    Cleaner,
    Maintenance,
    Host,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    pub user: UserSpec,
    pub role: Role,
}

/// A place to seed a fake with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoScenario {
    pub place: Resource,
    /// Front door, back gate, gym, storage, in that order.
    pub doors: [Resource; 4],
    pub people: Vec<DemoPerson>,
    pub history_days: i64,
    /// The place's offset from UTC, for realistic local hours.
    pub utc_offset_secs: i32,
}

const FRONT: usize = 0;
const BACK_GATE: usize = 1;
const GYM: usize = 2;
const STORAGE: usize = 3;

/// Local-time windows `(from_hour, to_hour)` an activity happens in.
const GUEST_HOURS: &[(i64, i64)] = &[(7, 10), (11, 14), (16, 19), (19, 23)];
const GYM_HOURS: &[(i64, i64)] = &[(6, 9), (17, 21)];
const WORK_HOURS: &[(i64, i64)] = &[(9, 12), (12, 15)];
const EVENING_HOURS: &[(i64, i64)] = &[(17, 22)];

/// Guests that stay at once: the loft has three units.
const UNITS: usize = 3;

impl DemoScenario {
    pub fn harbour_loft() -> DemoScenario {
        let person = |id: &str, first: &str, last: &str, role: Role| DemoPerson {
            user: UserSpec::new(
                id,
                first,
                last,
                &format!(
                    "{}.{}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
            ),
            role,
        };
        DemoScenario {
            place: Resource::new("Dm0000001a", "Harbour Loft"),
            doors: [
                Resource::new("Dv0000001a", "Front door"),
                Resource::new("Dv0000002b", "Back gate"),
                Resource::new("Dv0000003c", "Gym"),
                Resource::new("Dv0000004d", "Storage"),
            ],
            people: vec![
                person("THC6P98RmM", "Ann", "Berg", Role::Guest),
                person("Us8fK2pQxA", "Lars", "Moe", Role::Guest),
                person("Us3mR7tLwB", "Sofia", "Rossi", Role::Guest),
                person("Us5kJ1nVzC", "Kenji", "Sato", Role::Guest),
                person("Us9dH4cYeD", "Emma", "Dahl", Role::Guest),
                person("Us2gT6bNqE", "Omar", "Haddad", Role::Guest),
                person("Us7wX3sMfF", "Mia", "Haugen", Role::Cleaner),
                person("Us4pZ8vKrG", "Jonas", "Lie", Role::Maintenance),
                person("Us1qL5hJtH", "Ingrid", "Solberg", Role::Host),
            ],
            history_days: 7,
            utc_offset_secs: 3_600,
        }
    }

    fn with_role(&self, role: Role) -> Vec<&DemoPerson> {
        self.people.iter().filter(|p| p.role == role).collect()
    }

    fn unlock(&self, person: &DemoPerson, door: usize, at: Millis, upload_ms: i64) -> EventSpec {
        let access = match person.role {
            Role::Guest => Resource::new("RZglGYR2Je", "Guest key"),
            Role::Cleaner | Role::Maintenance => Resource::new("Ac7Hn2StfQ", "Staff key"),
            Role::Host => Resource::new("Ac3Ow9NrkP", "Host key"),
        };
        EventSpec {
            door: self.doors[door].clone(),
            user: Some(person.user.clone()),
            access: Some(access),
            created_at: Some(at.plus(upload_ms)),
            timestamp: Some(at),
            ..EventSpec::default()
        }
    }

    /// How long a lock takes to report: seconds, or hours when the back gate was offline.
    fn upload_delay(rng: &mut Rng, door: usize) -> i64 {
        if door == BACK_GATE && rng.range(0, 11) == 0 {
            rng.range(Millis::HOUR, 9 * Millis::HOUR)
        } else {
            rng.range(400, 6_000)
        }
    }

    /// An instant inside one of `windows` on the local day starting at `day_start` (UTC ms).
    fn at_hours(rng: &mut Rng, day_start: Millis, windows: &[(i64, i64)]) -> Millis {
        let (from, to) = windows[rng.range(0, windows.len() as i64 - 1) as usize];
        day_start.plus(rng.range(from * Millis::HOUR, to * Millis::HOUR - 1))
    }

    /// Unlocks over the `history_days` before `now` (and today until `now`), oldest
    /// first: a few dozen a day.
    pub fn history(&self, now: Millis, seed: u64) -> Vec<EventSpec> {
        let mut rng = Rng::seeded(seed);
        let offset = i64::from(self.utc_offset_secs) * 1_000;
        let today = Millis((now.0 + offset).div_euclid(Millis::DAY) * Millis::DAY - offset);
        let guests = self.with_role(Role::Guest);
        let cleaners = self.with_role(Role::Cleaner);
        let maintenance = self.with_role(Role::Maintenance);
        let hosts = self.with_role(Role::Host);
        let mut out = Vec::new();

        for day in (0..=self.history_days).rev() {
            let day_start = today.minus(day * Millis::DAY);
            let mut add =
                |rng: &mut Rng, person: &DemoPerson, door: usize, windows: &[(i64, i64)]| {
                    let at = Self::at_hours(rng, day_start, windows);
                    let upload = Self::upload_delay(rng, door);
                    out.push(self.unlock(person, door, at, upload));
                };
            // Guests rotate through the units, staying about two days each.
            let day_number = day_start.0.div_euclid(Millis::DAY);
            for unit in 0..UNITS.min(guests.len()) {
                let stay = (day_number / 2) as usize + unit * 2;
                let guest = guests[stay % guests.len()];
                for _ in 0..rng.range(4, 9) {
                    add(&mut rng, guest, FRONT, GUEST_HOURS);
                }
                for _ in 0..rng.range(0, 3) {
                    add(&mut rng, guest, BACK_GATE, GUEST_HOURS);
                }
                for _ in 0..rng.range(0, 2) {
                    add(&mut rng, guest, GYM, GYM_HOURS);
                }
            }
            // The cleaner comes on changeover days (every other day).
            if day_number % 2 == 0 {
                for cleaner in &cleaners {
                    for _ in 0..rng.range(2, 4) {
                        add(&mut rng, cleaner, FRONT, WORK_HOURS);
                    }
                    for _ in 0..rng.range(2, 4) {
                        add(&mut rng, cleaner, STORAGE, WORK_HOURS);
                    }
                }
            }
            for person in &maintenance {
                for _ in 0..rng.range(0, 3) {
                    let door = if rng.range(0, 1) == 0 {
                        BACK_GATE
                    } else {
                        STORAGE
                    };
                    add(&mut rng, person, door, WORK_HOURS);
                }
            }
            for host in &hosts {
                for _ in 0..rng.range(0, 2) {
                    add(&mut rng, host, FRONT, EVENING_HOURS);
                }
            }
        }
        // The night the demo's booking feed leaves vacant ([`crate::feeds::demo_calendar`]:
        // a check-out two days ago, the next check-in yesterday): someone came in anyway.
        let vacant_night = today
            .minus(2 * Millis::DAY)
            .plus(23 * Millis::HOUR + 40 * Millis::MINUTE);
        if let Some(guest) = guests.last() {
            out.push(self.unlock(guest, FRONT, vacant_night, 2_000));
        }
        out.retain(|e| e.timestamp.is_some_and(|t| t <= now));
        out.sort_by_key(|e| e.created_at);
        out
    }

    /// One unlock happening at `now`: usually a guest at the front door reported within
    /// seconds; one in ten an offline back gate finally uploading an older unlock.
    pub fn live_unlock(&self, rng: &mut Rng, now: Millis) -> EventSpec {
        let pick = |rng: &mut Rng, people: &[&DemoPerson]| -> Option<DemoPerson> {
            if people.is_empty() {
                return None;
            }
            Some(people[rng.range(0, people.len() as i64 - 1) as usize].clone())
        };
        let guests = self.with_role(Role::Guest);
        let everyone: Vec<&DemoPerson> = self.people.iter().collect();
        let person = match pick(rng, &guests[..guests.len().min(UNITS)]) {
            Some(guest) if rng.range(0, 3) > 0 => guest,
            _ => pick(rng, &everyone).unwrap_or_else(|| DemoPerson {
                user: UserSpec::new("UsAnon0000", "Demo", "Guest", "guest@example.com"),
                role: Role::Guest,
            }),
        };
        if rng.range(0, 9) == 0 {
            let late = rng.range(20 * Millis::MINUTE, 4 * Millis::HOUR);
            return self.unlock(&person, BACK_GATE, now.minus(late), late);
        }
        let door = match person.role {
            Role::Cleaner | Role::Maintenance if rng.range(0, 1) == 0 => STORAGE,
            Role::Guest if rng.range(0, 5) == 0 => GYM,
            _ if rng.range(0, 6) == 0 => BACK_GATE,
            _ => FRONT,
        };
        let upload = rng.range(300, 5_000);
        self.unlock(&person, door, now.minus(upload), upload)
    }

    /// Names the fake's domain after the place and stores the history; returns how many
    /// unlocks were stored.
    pub fn seed_history(&self, fake: &FakeControl, seed: u64) -> usize {
        fake.configure(|c| {
            c.domain_id = self.place.id.clone();
            c.domain_name = self.place.name.clone();
        });
        fake.inject_many(self.history(fake.now(), seed)).len()
    }

    /// Injects live unlocks at random intervals averaging `mean_interval` (uniform in
    /// ½–1½ of it) until the fake shuts down. Spawn it: `tokio::spawn(scenario.run_live(..))`.
    pub async fn run_live(self, fake: FakeControl, seed: u64, mean_interval: Duration) {
        let mut rng = Rng::seeded(seed);
        let mean_ms = i64::try_from(mean_interval.as_millis()).unwrap_or(i64::MAX / 2);
        while fake.is_running() {
            let wait = rng.range(mean_ms / 2, mean_ms + mean_ms / 2).max(1);
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(wait as u64)) => {}
                _ = fake.stopped() => break,
            }
            let spec = self.live_unlock(&mut rng, fake.now());
            fake.inject(spec);
        }
    }
}

/// Harbour Loft's live unlocks; see [`DemoScenario::run_live`].
pub async fn run_live(fake: FakeControl, seed: u64, mean_interval: Duration) {
    DemoScenario::harbour_loft()
        .run_live(fake, seed, mean_interval)
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_deterministic_realistic_and_in_the_past() {
        let scenario = DemoScenario::harbour_loft();
        let now = Millis::parse_rfc3339("2026-05-02T15:30:00Z").unwrap();
        let a = scenario.history(now, 42);
        assert_eq!(a, scenario.history(now, 42), "same seed, same history");
        assert_ne!(a, scenario.history(now, 43));
        let per_day = a.len() as i64 / (scenario.history_days + 1);
        assert!((20..=100).contains(&per_day), "{per_day} unlocks a day");
        assert!(a.iter().all(|e| e.timestamp.is_some_and(|t| t <= now)));
        assert!(
            a.iter()
                .any(|e| e.created_at.unwrap().since(e.timestamp.unwrap()) > Millis::HOUR),
            "some offline late uploads"
        );
        for door in &scenario.doors {
            assert!(a.iter().any(|e| e.door == *door), "{} used", door.name);
        }
    }

    #[test]
    fn the_night_the_demo_feed_leaves_vacant_has_an_unlock() {
        let scenario = DemoScenario::harbour_loft();
        let now = Millis::parse_rfc3339("2026-05-02T15:30:00Z").unwrap();
        // Local (UTC+1) 23:40 on 30 April.
        let vacant = Millis::parse_rfc3339("2026-04-30T22:40:00Z").unwrap();
        let history = scenario.history(now, 42);
        assert!(history.iter().any(|e| e.timestamp == Some(vacant)));
        let feed =
            crate::feeds::demo_calendar(chrono::NaiveDate::from_ymd_opt(2026, 5, 2).unwrap());
        assert!(feed.contains("DTEND;VALUE=DATE:20260430\r\n"), "{feed}");
        assert!(feed.contains("DTSTART;VALUE=DATE:20260501\r\n"), "{feed}");
    }

    #[test]
    fn live_unlocks_arrive_now() {
        let scenario = DemoScenario::harbour_loft();
        let mut rng = Rng::seeded(7);
        let now = Millis(1_800_000_000_000);
        for _ in 0..100 {
            let e = scenario.live_unlock(&mut rng, now);
            assert_eq!(e.created_at, Some(now));
            assert!(e.timestamp.is_some_and(|t| t <= now));
        }
    }
}
