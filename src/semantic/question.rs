//! What a question's own words settle, read by code where a small model's plan often misses it: a time
//! grain ("per month", "monthly"), an exact year or month ("in 2025", "in November 2024"), and two
//! periods compared ("vs the month before", "the same month a year earlier"). Like named periods
//! (`period.rs`), these are phrases with one meaning; code applies them to the plan the model wrote
//! instead of trusting a 1.5B model to turn them into fields. On the dev split the model planned
//! "Monthly revenue over the last 12 full months" as one value and "this year vs last year" as a
//! breakdown by year.

use super::catalog::Catalog;
use super::compile::period_field;
use super::period::Period;
use super::plan::{Filter, Grain, Kind, Op, Plan};
use chrono::{Datelike, NaiveDate};

/// Phrases that compare a period with the same period a year before.
const YEAR_AGO: [&str; 8] = [
    "a year earlier",
    "a year ago",
    "a year before",
    "same month last year",
    "same quarter last year",
    "same period last year",
    "same months last year",
    "year over year",
];

/// Phrases that compare a period with the one before it.
const PREVIOUS: [&str; 9] = [
    "the month before",
    "the quarter before",
    "the week before",
    "the year before",
    "previous month",
    "previous quarter",
    "prior month",
    "prior quarter",
    "over the previous",
];

/// Phrases asking for each grain against the one before it (a grain is kept, not replaced).
const GRAIN_OVER_GRAIN: [&str; 4] =
    ["month over month", "week over week", "quarter over quarter", "day over day"];

/// `plan` amended by what `question` says: see the module's documentation. Nothing is changed that the
/// question does not name.
pub fn amend(catalog: &Catalog, plan: &Plan, question: &str) -> Plan {
    let mut plan = plan.clone();
    let text = words(question);
    let has = |phrase: &str| text.contains(&format!(" {phrase} "));
    if !grained(&plan)
        && matches!(plan.kind, Kind::Value | Kind::Breakdown | Kind::Trend | Kind::RunningTotal)
        && let Some(grain) = grain_named(&text)
        && let Some(field) = period_field(catalog, &plan)
    {
        plan.group_by.push(format!("{field}:{}", grain.name()));
        if plan.kind == Kind::Value {
            plan.kind = Kind::Trend;
        }
    }
    if matches!(
        plan.kind,
        Kind::Value | Kind::Breakdown | Kind::Trend | Kind::ComparePrevious | Kind::CompareYearAgo
    ) {
        compared(&mut plan, question, &text, &has);
    }
    if plan.period == Period::All
        && let Some((from, to)) = dates_named(&text)
        && let Some(field) = period_field(catalog, &plan)
        && !plan.filters.iter().any(|f| f.field == field)
    {
        plan.filters.push(Filter { field: field.clone(), op: Op::Gte, value: from.to_string().into() });
        plan.filters.push(Filter { field, op: Op::Lt, value: to.to_string().into() });
    }
    plan
}

/// A comparison the question names turns a value, breakdown or trend into one, and sets which one
/// ("the quarter before" is not "a year earlier", whatever worked example the model copied).
fn compared(plan: &mut Plan, question: &str, text: &str, has: &dyn Fn(&str) -> bool) {
    let named = Period::named_in(question);
    let grain_over_grain = GRAIN_OVER_GRAIN.iter().any(|p| has(p) || has(&p.replace(' ', "-")));
    let year_ago = YEAR_AGO.iter().any(|p| has(p)) || has("year-over-year");
    // "this year vs last year": the later of two consecutive named periods.
    let consecutive = named.iter().find(|p| named.iter().any(|q| p.previous_label() == q.as_str())).copied();
    let previous = PREVIOUS.iter().any(|p| has(p)) || consecutive.is_some();
    if !year_ago && !previous && !grain_over_grain {
        return;
    }
    // "Each month compared with the month before" is a series of grains, each against the one before.
    if grained(plan) && !year_ago && (grain_over_grain || grain_named(text).is_some()) {
        plan.kind = Kind::ComparePrevious;
        return;
    }
    if !year_ago && !previous {
        return;
    }
    plan.kind = if year_ago { Kind::CompareYearAgo } else { Kind::ComparePrevious };
    if let Some(later) = consecutive {
        plan.period = later;
    } else if plan.period == Period::All
        && let [only] = named.as_slice()
    {
        plan.period = *only;
    }
    // The two periods are the comparison's columns: a grain splitting them again is dropped.
    plan.group_by.retain(|g| !g.contains(':'));
}

fn grained(plan: &Plan) -> bool {
    plan.group_by.iter().any(|g| g.contains(':'))
}

/// The question lower-cased as ` word word ... `, punctuation dropped, for whole-phrase matching.
fn words(question: &str) -> String {
    let lower = question.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    format!(" {} ", words.join(" "))
}

/// The one grain the question asks to group by ("per month", "each year", "by quarter", "monthly"),
/// if it names exactly one. "Average monthly" is a single figure, not a series.
fn grain_named(text: &str) -> Option<Grain> {
    let units = [
        (Grain::Day, "day", "daily"),
        (Grain::Week, "week", "weekly"),
        (Grain::Month, "month", "monthly"),
        (Grain::Quarter, "quarter", "quarterly"),
        (Grain::Year, "year", "yearly"),
    ];
    let found: Vec<Grain> = units
        .iter()
        .filter(|(_, unit, adverb)| {
            ["per", "each", "by", "every"].iter().any(|lead| {
                text.contains(&format!(" {lead} {unit} "))
                    || text.contains(&format!(" {lead} calendar {unit} "))
            }) || text.contains(&format!(" {unit} by {unit} "))
                || text.contains(&format!(" {unit} over {unit} "))
                || (text.contains(&format!(" {adverb} ")) && !text.contains(&format!(" average {adverb} ")))
        })
        .map(|(grain, _, _)| *grain)
        .collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// An exact year or month the question names ("in 2025", "during March 2026"), as a half-open range;
/// `None` when it names none or more than one.
fn dates_named(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Some(year) = token.parse::<i32>().ok().filter(|y| (1900..=2100).contains(y) && token.len() == 4)
        else {
            continue;
        };
        let before = i.checked_sub(1).and_then(|j| tokens.get(j)).copied().unwrap_or("");
        if let Some(month) = MONTHS.iter().position(|m| *m == before) {
            let from = NaiveDate::from_ymd_opt(year, month as u32 + 1, 1)?;
            found.push((from, from.checked_add_months(chrono::Months::new(1))?));
        } else if ["in", "during", "for", "of"].contains(&before) {
            let from = NaiveDate::from_ymd_opt(year, 1, 1)?;
            found.push((from, NaiveDate::from_ymd_opt(from.year() + 1, 1, 1)?));
        }
    }
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Catalog {
        crate::demo::catalog().unwrap_or_else(|e| panic!("{e}"))
    }

    fn value(measure: &str) -> Plan {
        let mut plan = Plan::new(Kind::Value);
        plan.measures.push(measure.to_string());
        plan
    }

    #[test]
    fn a_grain_the_question_names_becomes_a_trend() {
        let plan = amend(&demo(), &value("revenue"), "Monthly revenue over the last 12 full months");
        assert_eq!(
            (plan.kind, plan.group_by.as_slice()),
            (Kind::Trend, ["orders.ordered_at:month".to_string()].as_slice())
        );
        let plan = amend(&demo(), &value("customer_count"), "New customers per calendar year");
        assert_eq!(plan.group_by, ["customers.signed_up_on:year"]);
        // A single average of months, or two grains, is left alone.
        assert_eq!(amend(&demo(), &value("revenue"), "Average monthly revenue"), value("revenue"));
        assert_eq!(amend(&demo(), &value("revenue"), "Revenue per month and per year"), value("revenue"));
    }

    #[test]
    fn an_exact_year_or_month_becomes_a_date_range() {
        let plan = amend(&demo(), &value("order_count"), "number of orders in 2025");
        assert_eq!(plan.filters.len(), 2);
        assert_eq!((plan.filters[0].op, plan.filters[0].value.as_str()), (Op::Gte, Some("2025-01-01")));
        assert_eq!((plan.filters[1].op, plan.filters[1].value.as_str()), (Op::Lt, Some("2026-01-01")));
        let plan = amend(&demo(), &value("customer_count"), "Customers who signed up in November 2024");
        assert_eq!(plan.filters[0].value.as_str(), Some("2024-11-01"));
        assert_eq!(plan.filters[1].value.as_str(), Some("2024-12-01"));
        // Two years, or a year the plan already filters, are the model's to read.
        assert!(amend(&demo(), &value("order_count"), "orders in 2024 and in 2025").filters.is_empty());
        assert!(amend(&demo(), &value("order_count"), "order 2025 details").filters.is_empty());
    }

    #[test]
    fn two_periods_the_question_compares_become_a_comparison() {
        let mut by_year = value("customer_count");
        by_year.kind = Kind::Breakdown;
        by_year.group_by.push("customers.signed_up_on:year".into());
        let plan = amend(&demo(), &by_year, "New customer sign-ups this year vs last year, as two columns");
        assert_eq!((plan.kind, plan.period), (Kind::ComparePrevious, Period::ThisYear));
        assert!(plan.group_by.is_empty());
        let mut last_month = value("revenue");
        last_month.period = Period::LastMonth;
        let plan = amend(&demo(), &last_month, "Revenue last month vs the same month a year earlier");
        assert_eq!((plan.kind, plan.period), (Kind::CompareYearAgo, Period::LastMonth));
        let plan =
            amend(&demo(), &value("order_count"), "Orders last quarter compared with the quarter before");
        assert_eq!((plan.kind, plan.period), (Kind::ComparePrevious, Period::LastQuarter));
        let mut copied = plan.clone();
        copied.kind = Kind::CompareYearAgo;
        let plan = amend(&demo(), &copied, "Tickets opened last quarter vs the quarter before");
        assert_eq!(plan.kind, Kind::ComparePrevious);
        // Month over month keeps its grain (or gets one): each month against the one before.
        let plan = amend(&demo(), &value("revenue"), "Month over month revenue change");
        assert_eq!(
            (plan.kind, plan.group_by.as_slice()),
            (Kind::ComparePrevious, ["orders.ordered_at:month".to_string()].as_slice())
        );
        let mut trend = value("revenue");
        trend.kind = Kind::Trend;
        trend.group_by.push("orders.ordered_at:month".into());
        let plan = amend(&demo(), &trend, "Revenue growth month-over-month this year");
        assert_eq!((plan.kind, plan.group_by.len()), (Kind::ComparePrevious, 1));
        let plan = amend(&demo(), &trend, "Revenue each month this year compared with the month before");
        assert_eq!((plan.kind, plan.group_by.len()), (Kind::ComparePrevious, 1));
        // A question that compares nothing is left alone.
        assert_eq!(amend(&demo(), &trend, "Revenue per month this year"), trend);
    }
}
