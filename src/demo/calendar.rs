//! Maps "business time" onto the calendar.
//!
//! The generator places every event on a business-time axis `t` in `[0, 1)` that knows nothing
//! about the calendar. [`Clock`] then spreads that axis over the 731 days from `until - 730 days`
//! to `until`, giving busy days more of it: November and December peaks, Black Friday and Cyber
//! Monday, a weekly rhythm and evening hours. The mapping is monotone, so the order of events and
//! every id, amount and status is the same for every `until`; only the dates move.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Number of calendar days covered: `until - 730 days ..= until`.
pub(crate) const DAYS: usize = 731;

/// Seconds per day.
pub(crate) const DAY_SECS: i64 = 86_400;

/// Relative traffic per hour of the day, midnight first.
const HOUR_WEIGHTS: [f64; 24] = [
    0.60, 0.35, 0.20, 0.15, 0.12, 0.15, 0.30, 0.60, 1.00, 1.30, 1.50, 1.60, 1.80, 1.70, 1.50, 1.45, 1.50,
    1.60, 1.80, 2.10, 2.30, 2.20, 1.70, 1.10,
];

/// Relative traffic per month, January first (December is shaped further in `day_weight`).
const MONTH_WEIGHTS: [f64; 12] = [0.80, 0.80, 0.90, 0.92, 0.95, 0.93, 0.88, 0.90, 0.97, 1.02, 1.25, 1.00];

/// Relative traffic per weekday, Monday first.
const WEEKDAY_WEIGHTS: [f64; 7] = [1.05, 1.00, 1.00, 1.00, 0.95, 0.85, 1.15];

/// Business-time length of `n` average days.
pub(crate) fn days(n: f64) -> f64 {
    n / DAYS as f64
}

/// Inverse CDF of the density `1 + growth * t` on `[0, 1)`: turns a uniform draw into a business
/// time that gets more likely towards the end (with `growth = 1` the end is twice as busy).
pub(crate) fn growing(uniform: f64, growth: f64) -> f64 {
    if growth <= 0.0 {
        return uniform;
    }
    ((1.0 + growth * uniform * (2.0 + growth)).sqrt() - 1.0) / growth
}

/// Calendar of the demo data set.
#[derive(Debug)]
pub(crate) struct Clock {
    start: NaiveDate,
    /// Cumulative day weights, `DAYS + 1` entries starting at 0.
    day_cum: Vec<f64>,
    /// Cumulative hour weights, 25 entries starting at 0.
    hour_cum: [f64; 25],
    /// `YYYY-MM-DD` of every day in the window.
    day_text: Vec<String>,
}

impl Clock {
    /// Calendar ending on `until`, or `None` when `until` is outside the years 1000 to 9000.
    pub(crate) fn new(until: NaiveDate) -> Option<Self> {
        if !(1000..=9000).contains(&until.year()) {
            return None;
        }
        let start = until.checked_sub_days(Days::new(DAYS as u64 - 1))?;
        let mut day_cum = Vec::with_capacity(DAYS + 1);
        let mut day_text = Vec::with_capacity(DAYS);
        let mut total = 0.0;
        day_cum.push(total);
        for offset in 0..DAYS {
            let date = start.checked_add_days(Days::new(offset as u64))?;
            total += day_weight(date);
            day_cum.push(total);
            day_text.push(iso_date(date));
        }
        let mut hour_cum = [0.0; 25];
        for (hour, weight) in HOUR_WEIGHTS.iter().enumerate() {
            hour_cum[hour + 1] = hour_cum[hour] + weight;
        }
        Some(Self { start, day_cum, hour_cum, day_text })
    }

    /// Seconds since the start of the window for business time `t` (clamped to `[0, 1]`).
    /// Monotone: a later `t` never gives an earlier moment.
    pub(crate) fn at(&self, t: f64) -> i64 {
        let target = t.clamp(0.0, 1.0) * self.day_cum[DAYS];
        let day = self.day_cum.partition_point(|c| *c <= target).saturating_sub(1).min(DAYS - 1);
        let width = self.day_cum[day + 1] - self.day_cum[day];
        let within = ((target - self.day_cum[day]) / width).clamp(0.0, 1.0);
        day as i64 * DAY_SECS + self.second_of_day(within)
    }

    /// Second of the day for a fraction of a day's business time, following `HOUR_WEIGHTS`.
    fn second_of_day(&self, fraction: f64) -> i64 {
        let target = fraction * self.hour_cum[24];
        let hour = self.hour_cum.partition_point(|c| *c <= target).saturating_sub(1).min(23);
        let width = self.hour_cum[hour + 1] - self.hour_cum[hour];
        let within = ((target - self.hour_cum[hour]) / width).clamp(0.0, 1.0);
        ((hour as f64 + within) * 3600.0).floor().min(86_399.0) as i64
    }

    /// Last second of the window (23:59:59 on `until`).
    pub(crate) fn end(&self) -> i64 {
        DAYS as i64 * DAY_SECS - 1
    }

    /// `YYYY-MM-DD HH:MM:SS` for seconds since the start, clamped into the window.
    pub(crate) fn stamp(&self, secs: i64) -> String {
        let secs = secs.clamp(0, self.end());
        let day = (secs / DAY_SECS) as usize;
        let rem = secs % DAY_SECS;
        format!("{} {:02}:{:02}:{:02}", self.day_text[day], rem / 3600, rem % 3600 / 60, rem % 60)
    }

    /// `YYYY-MM-DD` of the moment `secs` seconds after the start, clamped into the window.
    pub(crate) fn date_at(&self, secs: i64) -> String {
        self.day_text[(secs.clamp(0, self.end()) / DAY_SECS) as usize].clone()
    }

    /// `YYYY-MM-DD` of the day `offset` days after the start; negative offsets lie before the window.
    pub(crate) fn date_offset(&self, offset: i64) -> String {
        if let Some(text) = usize::try_from(offset).ok().and_then(|i| self.day_text.get(i)) {
            return text.clone();
        }
        let date = if offset < 0 {
            self.start.checked_sub_days(Days::new(offset.unsigned_abs()))
        } else {
            self.start.checked_add_days(Days::new(offset.unsigned_abs()))
        };
        date.map_or_else(|| self.day_text[0].clone(), iso_date)
    }
}

/// Relative order volume of one calendar day.
fn day_weight(date: NaiveDate) -> f64 {
    let mut weight = MONTH_WEIGHTS[date.month0() as usize]
        * WEEKDAY_WEIGHTS[date.weekday().num_days_from_monday() as usize];
    if date.month() == 12 {
        weight *= match date.day() {
            1..=20 => 1.55,
            21..=24 => 1.2,
            25 => 0.45,
            _ => 0.9,
        };
    }
    let black_friday =
        NaiveDate::from_weekday_of_month_opt(date.year(), 11, Weekday::Thu, 4).and_then(|d| d.succ_opt());
    if let Some(black_friday) = black_friday {
        weight *= match date.signed_duration_since(black_friday).num_days() {
            -7..=-1 => 1.15,
            0 => 2.6,
            1 | 2 => 1.5,
            3 => 2.1,
            _ => 1.0,
        };
    }
    weight
}

fn iso_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_is_monotone_and_covers_the_window() {
        let until = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let clock = Clock::new(until).unwrap();
        assert_eq!(clock.stamp(clock.at(0.0)), "2023-07-01 00:00:00");
        assert_eq!(clock.stamp(clock.at(1.0)), "2025-06-30 23:59:59");
        let mut previous = -1;
        for i in 0..=100_000 {
            let secs = clock.at(f64::from(i) / 100_000.0);
            assert!(secs >= previous);
            previous = secs;
        }
        assert_eq!(clock.date_offset(-1), "2023-06-30");
        assert_eq!(clock.date_offset(730), "2025-06-30");
        assert_eq!(clock.date_at(clock.end() + 5), "2025-06-30");
    }

    #[test]
    fn black_friday_is_busier_than_an_ordinary_friday() {
        let friday = NaiveDate::from_ymd_opt(2024, 11, 8).unwrap();
        let black_friday = NaiveDate::from_ymd_opt(2024, 11, 29).unwrap();
        assert!(day_weight(black_friday) > 2.0 * day_weight(friday));
        assert!(Clock::new(NaiveDate::from_ymd_opt(999, 1, 1).unwrap()).is_none());
    }

    #[test]
    fn growth_pushes_mass_towards_the_end() {
        assert!(growing(0.0, 1.0).abs() < 1e-12);
        assert!((growing(1.0, 1.0) - 1.0).abs() < 1e-12);
        assert!(growing(0.5, 1.0) > 0.5);
    }
}
