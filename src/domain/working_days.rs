//! Working days (工作日): Monday to Friday, minus public holidays, plus make-up workdays (调休).
//! The calendar's holidays and make-up days are data an administrator maintains.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        if self.workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`-th working day after `start` (start itself does not count): a deadline of
    /// "10 working days" from a submission on `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut d = from;
        let mut n = 0;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// National Day 2026: 1–7 October off, 20 September and 10 October worked.
    fn national_day_2026() -> WorkCalendar {
        WorkCalendar::new(
            (1..=7).map(|d| day(2026, 10, d)),
            [day(2026, 9, 20), day(2026, 10, 10)],
        )
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let c = national_day_2026();
        assert!(
            !c.is_working_day(day(2026, 10, 1)),
            "a holiday on a Thursday"
        );
        assert!(c.is_working_day(day(2026, 10, 10)), "a make-up Saturday");
        assert!(!c.is_working_day(day(2026, 10, 11)), "an ordinary Sunday");
        assert!(c.is_working_day(day(2026, 10, 12)));
    }

    #[test]
    fn ten_working_days_across_the_national_day() {
        let c = national_day_2026();
        // Submitted Tuesday 29 September: 30 Sep (1), 8 Oct (2), 9 Oct (3), 10 Oct Sat make-up
        // (4), 12–16 Oct (5–9), 19 Oct (10).
        assert_eq!(c.add_working_days(day(2026, 9, 29), 10), day(2026, 10, 19));
        assert_eq!(
            c.working_days_between(day(2026, 9, 29), day(2026, 10, 19)),
            10
        );
        assert_eq!(
            c.working_days_between(day(2026, 10, 19), day(2026, 9, 29)),
            0
        );
        let plain = WorkCalendar::default();
        assert_eq!(
            plain.add_working_days(day(2026, 11, 27), 1),
            day(2026, 11, 30)
        );
    }

    /// Spring Festival 2026: 15–23 February off, Saturdays 14 and 28 February worked.
    fn spring_festival_2026() -> WorkCalendar {
        WorkCalendar::new(
            (15..=23).map(|d| day(2026, 2, d)),
            [day(2026, 2, 14), day(2026, 2, 28)],
        )
    }

    #[test]
    fn ten_working_days_across_the_spring_festival_with_make_up_saturdays() {
        let c = spring_festival_2026();
        // Tuesday 10 February: 11, 12, 13 (3), Sat 14 make-up (4), 24–27 (8), Sat 28 make-up (9),
        // Monday 2 March (10).
        assert_eq!(c.add_working_days(day(2026, 2, 10), 10), day(2026, 3, 2));
        assert_eq!(
            c.working_days_between(day(2026, 2, 10), day(2026, 3, 2)),
            10
        );
    }

    #[test]
    fn a_deadline_that_would_fall_in_the_holiday_moves_past_it() {
        let c = spring_festival_2026();
        // Counting weekdays only, ten working days from Tuesday 3 February end on Tuesday 17
        // February — a holiday. With the calendar: 4–6 (3), 9–13 (8), Sat 14 (9), then nothing
        // until Tuesday 24 (10).
        let naive = WorkCalendar::default().add_working_days(day(2026, 2, 3), 10);
        assert_eq!(naive, day(2026, 2, 17));
        assert!(!c.is_working_day(naive));
        let due = c.add_working_days(day(2026, 2, 3), 10);
        assert_eq!(due, day(2026, 2, 24));
        assert!(c.is_working_day(due));
    }
}
