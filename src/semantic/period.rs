//! Relative periods ("last quarter") as exact half-open date ranges, computed by code from the day the
//! question is asked: a small model that does calendar arithmetic in SQL gets it wrong (two quarters for
//! "last quarter", `date('now')` instead of the asked day), so plans name a period and code fills in
//! the dates.

use chrono::{Datelike, Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A period a plan can name. Calendar periods are whole calendar units; `last_N_days` ends with today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// No time filter.
    All,
    /// The day asked on.
    Today,
    /// The day before.
    Yesterday,
    /// Monday to Sunday of this week.
    ThisWeek,
    /// Monday to Sunday of the week before.
    LastWeek,
    /// This calendar month.
    ThisMonth,
    /// The calendar month before this one.
    LastMonth,
    /// This calendar quarter.
    ThisQuarter,
    /// The calendar quarter before this one.
    LastQuarter,
    /// This calendar year.
    ThisYear,
    /// The calendar year before this one.
    LastYear,
    /// From January 1st to today.
    YearToDate,
    /// The last 7 days, today included.
    #[serde(rename = "last_7_days")]
    Last7Days,
    /// The last 30 days, today included.
    #[serde(rename = "last_30_days")]
    Last30Days,
    /// The last 90 days, today included.
    #[serde(rename = "last_90_days")]
    Last90Days,
    /// The 12 whole calendar months before this one.
    #[serde(rename = "last_12_months")]
    Last12Months,
}

/// A half-open range of days: `from` included, `to` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    /// The first day in the range.
    pub from: NaiveDate,
    /// The first day after it.
    pub to: NaiveDate,
}

impl std::fmt::Display for DateRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, ">= '{}' and < '{}'", self.from, self.to)
    }
}

impl DateRange {
    /// The range moved `months` calendar months back (day 31 becomes the month's last day).
    pub fn shifted_months(self, months: u32) -> Option<DateRange> {
        let back = chrono::Months::new(months);
        Some(DateRange { from: self.from.checked_sub_months(back)?, to: self.to.checked_sub_months(back)? })
    }
}

fn first_of_month(year: i32, month0: i32) -> NaiveDate {
    let index = year * 12 + month0;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(NaiveDate::MIN)
}

impl Period {
    /// Every period, in the order prompts list them.
    pub const ALL: [Period; 16] = [
        Period::All,
        Period::Today,
        Period::Yesterday,
        Period::ThisWeek,
        Period::LastWeek,
        Period::ThisMonth,
        Period::LastMonth,
        Period::ThisQuarter,
        Period::LastQuarter,
        Period::ThisYear,
        Period::LastYear,
        Period::YearToDate,
        Period::Last7Days,
        Period::Last30Days,
        Period::Last90Days,
        Period::Last12Months,
    ];

    /// The name plans use (`last_quarter`).
    pub fn as_str(self) -> &'static str {
        match self {
            Period::All => "all",
            Period::Today => "today",
            Period::Yesterday => "yesterday",
            Period::ThisWeek => "this_week",
            Period::LastWeek => "last_week",
            Period::ThisMonth => "this_month",
            Period::LastMonth => "last_month",
            Period::ThisQuarter => "this_quarter",
            Period::LastQuarter => "last_quarter",
            Period::ThisYear => "this_year",
            Period::LastYear => "last_year",
            Period::YearToDate => "year_to_date",
            Period::Last7Days => "last_7_days",
            Period::Last30Days => "last_30_days",
            Period::Last90Days => "last_90_days",
            Period::Last12Months => "last_12_months",
        }
    }

    /// The days it covers when asked on `today`; `None` for [`Period::All`].
    pub fn range(self, today: NaiveDate) -> Option<DateRange> {
        let (year, month0) = (today.year(), today.month0() as i32);
        let month = |shift: i32| first_of_month(year, month0 + shift);
        let quarter = |shift: i32| first_of_month(year, month0 / 3 * 3 + shift * 3);
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
        let days_back = |n: u64| today.checked_sub_days(Days::new(n - 1)).unwrap_or(today);
        let monday = today
            .checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))
            .unwrap_or(today);
        let week = |shift: i64| {
            let from = monday.checked_add_signed(chrono::Duration::days(7 * shift)).unwrap_or(monday);
            DateRange { from, to: from.checked_add_days(Days::new(7)).unwrap_or(from) }
        };
        let range = |from, to| Some(DateRange { from, to });
        match self {
            Period::All => None,
            Period::Today => range(today, tomorrow),
            Period::Yesterday => range(today.pred_opt().unwrap_or(today), today),
            Period::ThisWeek => Some(week(0)),
            Period::LastWeek => Some(week(-1)),
            Period::ThisMonth => range(month(0), month(1)),
            Period::LastMonth => range(month(-1), month(0)),
            Period::ThisQuarter => range(quarter(0), quarter(1)),
            Period::LastQuarter => range(quarter(-1), quarter(0)),
            Period::ThisYear => range(first_of_month(year, 0), first_of_month(year + 1, 0)),
            Period::LastYear => range(first_of_month(year - 1, 0), first_of_month(year, 0)),
            Period::YearToDate => range(first_of_month(year, 0), tomorrow),
            Period::Last7Days => range(days_back(7), tomorrow),
            Period::Last30Days => range(days_back(30), tomorrow),
            Period::Last90Days => range(days_back(90), tomorrow),
            Period::Last12Months => range(month(-12), month(0)),
        }
    }

    /// The same span of time one period earlier: the month before a month, the quarter before a
    /// quarter, the seven days before the last seven days, and the same days of the year before for a
    /// year to date (a partial year compared with the whole last year would always look smaller).
    pub fn previous(self, today: NaiveDate) -> Option<DateRange> {
        let range = self.range(today)?;
        match self {
            Period::All => None,
            Period::ThisMonth | Period::LastMonth => range.shifted_months(1),
            Period::ThisQuarter | Period::LastQuarter => range.shifted_months(3),
            Period::ThisYear | Period::LastYear | Period::YearToDate | Period::Last12Months => {
                range.shifted_months(12)
            }
            Period::Today
            | Period::Yesterday
            | Period::ThisWeek
            | Period::LastWeek
            | Period::Last7Days
            | Period::Last30Days
            | Period::Last90Days => {
                let days = (range.to - range.from).num_days().unsigned_abs();
                Some(DateRange { from: range.from.checked_sub_days(Days::new(days))?, to: range.from })
            }
        }
    }

    /// The same days a year earlier ("last month vs the same month a year earlier").
    pub fn year_earlier(self, today: NaiveDate) -> Option<DateRange> {
        self.range(today)?.shifted_months(12)
    }

    /// What the period before this one is called in a result's column names (`month_before` for
    /// `last_month`, `last_year` for `this_year`).
    pub fn previous_label(self) -> &'static str {
        match self {
            Period::All => "before",
            Period::Today => "yesterday",
            Period::Yesterday => "day_before",
            Period::ThisWeek => "last_week",
            Period::LastWeek => "week_before",
            Period::ThisMonth => "last_month",
            Period::LastMonth => "month_before",
            Period::ThisQuarter => "last_quarter",
            Period::LastQuarter => "quarter_before",
            Period::ThisYear => "last_year",
            Period::LastYear => "year_before",
            Period::YearToDate => "same_days_last_year",
            Period::Last7Days => "7_days_before",
            Period::Last30Days => "30_days_before",
            Period::Last90Days => "90_days_before",
            Period::Last12Months => "12_months_before",
        }
    }

    /// The periods a question names in words ("last quarter", "previous month", "this year"), in the
    /// order of [`Period::ALL`]. Used to tell the model which range a phrase means.
    pub fn named_in(question: &str) -> Vec<Period> {
        let question = question.to_lowercase();
        let words: Vec<&str> =
            question.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let pair = |first: &[&str], unit: &str| {
            words.windows(2).any(|w| first.contains(&w[0]) && (w[1] == unit || w[1] == format!("{unit}s")))
        };
        let last = ["last", "previous", "past"];
        let this = ["this", "current"];
        Period::ALL
            .into_iter()
            .filter(|p| match p {
                Period::Today => words.contains(&"today"),
                Period::Yesterday => words.contains(&"yesterday"),
                Period::ThisWeek => pair(&this, "week"),
                Period::LastWeek => pair(&last, "week"),
                Period::ThisMonth => pair(&this, "month"),
                Period::LastMonth => pair(&last, "month"),
                Period::ThisQuarter => pair(&this, "quarter"),
                Period::LastQuarter => pair(&last, "quarter"),
                Period::ThisYear => pair(&this, "year"),
                Period::LastYear => pair(&last, "year"),
                Period::YearToDate => question.contains("year to date") || words.contains(&"ytd"),
                Period::All
                | Period::Last7Days
                | Period::Last30Days
                | Period::Last90Days
                | Period::Last12Months => false,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn calendar_periods_are_whole_units_before_today() {
        let today = day(2026, 11, 15);
        let range = |p: Period| p.range(today).map(|r| (r.from.to_string(), r.to.to_string()));
        let r = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(range(Period::LastQuarter), r("2026-07-01", "2026-10-01"));
        assert_eq!(range(Period::ThisQuarter), r("2026-10-01", "2027-01-01"));
        assert_eq!(range(Period::LastMonth), r("2026-10-01", "2026-11-01"));
        assert_eq!(range(Period::LastYear), r("2025-01-01", "2026-01-01"));
        assert_eq!(range(Period::YearToDate), r("2026-01-01", "2026-11-16"));
        assert_eq!(range(Period::Last12Months), r("2025-11-01", "2026-11-01"));
        assert_eq!(range(Period::Last7Days), r("2026-11-09", "2026-11-16"));
        // 2026-11-15 is a Sunday: the week began on Monday the 9th.
        assert_eq!(range(Period::ThisWeek), r("2026-11-09", "2026-11-16"));
        assert_eq!(range(Period::LastWeek), r("2026-11-02", "2026-11-09"));
        assert_eq!(range(Period::All), None);
    }

    #[test]
    fn the_period_before_is_the_same_span_earlier() {
        let today = day(2026, 11, 15);
        let before = |p: Period| p.previous(today).map(|r| (r.from.to_string(), r.to.to_string()));
        let r = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(before(Period::LastMonth), r("2026-09-01", "2026-10-01"));
        assert_eq!(before(Period::ThisYear), r("2025-01-01", "2026-01-01"));
        assert_eq!(before(Period::LastQuarter), r("2026-04-01", "2026-07-01"));
        assert_eq!(before(Period::YearToDate), r("2025-01-01", "2025-11-16"));
        assert_eq!(before(Period::Last7Days), r("2026-11-02", "2026-11-09"));
        assert_eq!(before(Period::LastWeek), r("2026-10-26", "2026-11-02"));
        assert_eq!(before(Period::Yesterday), r("2026-11-13", "2026-11-14"));
        assert_eq!(before(Period::All), None);
        let earlier = Period::LastMonth.year_earlier(today).unwrap();
        assert_eq!((earlier.from, earlier.to), (day(2025, 10, 1), day(2025, 11, 1)));
        // Across a year's start, and from a leap day.
        assert_eq!(Period::LastMonth.previous(day(2027, 1, 15)).unwrap().from, day(2026, 11, 1));
        assert_eq!(Period::Today.year_earlier(day(2028, 2, 29)).unwrap().from, day(2027, 2, 28));
    }

    #[test]
    fn periods_cross_year_boundaries() {
        let today = day(2027, 1, 15);
        assert_eq!(Period::LastMonth.range(today).unwrap().from, day(2026, 12, 1));
        assert_eq!(
            Period::LastQuarter.range(today).unwrap(),
            DateRange { from: day(2026, 10, 1), to: day(2027, 1, 1) }
        );
    }

    #[test]
    fn only_the_periods_a_question_names_are_found() {
        assert_eq!(
            Period::named_in("Which 5 products made the most revenue last quarter?"),
            [Period::LastQuarter]
        );
        assert_eq!(Period::named_in("Revenue in the previous month vs this month").len(), 2);
        assert!(Period::named_in("How many customers are there?").is_empty());
        assert!(Period::named_in("What was the last order?").is_empty());
    }

    #[test]
    fn every_period_has_a_name_serde_agrees_with() {
        for period in Period::ALL {
            assert_eq!(serde_json::to_value(period).unwrap(), period.as_str());
        }
    }
}
