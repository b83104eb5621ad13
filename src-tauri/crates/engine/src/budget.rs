//! A place's daily storage budget (issue 14): how many unlocks one place may add to the
//! history in one local day.
//!
//! A real place adds tens or hundreds of rows a day; a server that sends millions (a bug,
//! or hostile) would fill the disk and slow every page after it. The budget is far above
//! any real place (the setting `storage.daily`). When a place has stored that many rows
//! today, its next sync is not written: the poller's cursor stays where the last written
//! sync left it, so nothing is skipped and nothing is lost, and the driver stops asking
//! until the next local day or until the host raises the budget. The status says why.
//! The sync that crosses the budget is written whole: the budget is when reading stops,
//! not a cut through a page.

use doorpost_core::settings::Settings;
use doorpost_core::time::Millis;

/// The budget the settings give each place (`storage.daily`; a busy gym stores a few
/// thousand rows a day, the default is 100,000).
pub fn limit_for(settings: &Settings) -> u32 {
    settings.storage_daily_rows
}

/// What one place has stored today, against its budget.
#[derive(Debug, Clone)]
pub struct DailyBudget {
    limit: u64,
    /// The local day counted (its start), and rows stored in it.
    day: Option<(Millis, u64)>,
}

/// The budget is used up until `resumes_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full {
    pub stored: u64,
    pub limit: u64,
    /// The next local midnight.
    pub resumes_at: Millis,
}

impl DailyBudget {
    pub fn new(limit: u32) -> DailyBudget {
        DailyBudget {
            limit: u64::from(limit),
            day: None,
        }
    }

    /// A new limit (the host raised or lowered it).
    pub fn set_limit(&mut self, limit: u32) {
        self.limit = u64::from(limit);
    }

    /// The local day at `wall` when the store has not been asked yet what it holds for
    /// it ([`DailyBudget::counted`]); asked once per day, then the budget counts itself.
    pub fn uncounted(&self, wall: Millis, utc_offset_secs: i32) -> Option<Millis> {
        let start = local_day_start(wall, utc_offset_secs);
        match self.day {
            Some((day, _)) if day == start => None,
            _ => Some(start),
        }
    }

    /// The store holds `stored` rows first stored from `day` on.
    pub fn counted(&mut self, day: Millis, stored: u64) {
        self.day = Some((day, stored));
    }

    /// Whether a sync may be written at `wall`. A day not counted yet counts as empty.
    pub fn check(&self, wall: Millis, utc_offset_secs: i32) -> Result<(), Full> {
        let start = local_day_start(wall, utc_offset_secs);
        let stored = match self.day {
            Some((day, stored)) if day == start => stored,
            _ => 0,
        };
        if stored < self.limit {
            Ok(())
        } else {
            Err(Full {
                stored,
                limit: self.limit,
                resumes_at: Millis(start.0 + Millis::DAY),
            })
        }
    }

    /// `rows` more were stored today (after [`DailyBudget::check`] let the sync through).
    pub fn spent(&mut self, rows: usize) {
        if let Some((_, stored)) = &mut self.day {
            *stored += rows as u64;
        }
    }
}

/// Local midnight at or before `wall`, for a zone `utc_offset_secs` east of UTC.
pub fn local_day_start(wall: Millis, utc_offset_secs: i32) -> Millis {
    let offset = i64::from(utc_offset_secs) * 1_000;
    Millis((wall.0 + offset).div_euclid(Millis::DAY) * Millis::DAY - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: Millis = Millis(1_765_108_800_000); // 2025-12-07T12:00:00Z

    /// Counts as the driver does: the store once a day, then by itself.
    fn check(budget: &mut DailyBudget, wall: Millis, stored_today: u64) -> Result<(), Full> {
        if let Some(day) = budget.uncounted(wall, 0) {
            budget.counted(day, stored_today);
        }
        budget.check(wall, 0)
    }

    #[test]
    fn the_store_is_asked_once_a_day_and_the_budget_counts_what_is_stored_after() {
        let mut budget = DailyBudget::new(1_000);
        assert_eq!(
            budget.uncounted(NOON, 0),
            Some(Millis(NOON.0 - 12 * 3_600_000))
        );
        assert!(check(&mut budget, NOON, 900).is_ok());
        budget.spent(150);
        let later = Millis(NOON.0 + 60_000);
        assert_eq!(budget.uncounted(later, 0), None, "counted once a day");
        let full = budget.check(later, 0).unwrap_err();
        assert_eq!(full.stored, 1_050);
        assert_eq!(full.resumes_at, Millis(NOON.0 + 12 * 3_600_000));

        // The next local day counts again from the store.
        let tomorrow = Millis(NOON.0 + Millis::DAY);
        assert!(budget.uncounted(tomorrow, 0).is_some());
        assert!(check(&mut budget, tomorrow, 0).is_ok());
    }

    #[test]
    fn raising_the_budget_lets_the_same_day_go_on() {
        let mut budget = DailyBudget::new(1_000);
        assert!(check(&mut budget, NOON, 1_000).is_err());
        budget.set_limit(5_000);
        assert!(budget.check(NOON, 0).is_ok());
    }

    #[test]
    fn a_day_is_the_local_day() {
        // 23:30 UTC is 00:30 the next day at UTC+1: that day's start is 23:00 UTC.
        let late = Millis(NOON.0 + 11 * 3_600_000 + 30 * 60_000);
        assert_eq!(
            local_day_start(late, 3_600),
            Millis(NOON.0 + 11 * 3_600_000)
        );
        assert_eq!(local_day_start(late, 0), Millis(NOON.0 - 12 * 3_600_000));
        // West of UTC, and before 1970, the day still starts at local midnight.
        assert_eq!(
            local_day_start(Millis(-1), -3_600),
            Millis(-Millis::DAY + 3_600_000)
        );
    }
}
