//! What a question's own words settle, read by code where a small model's plan often misses it: a time
//! grain ("per month", "monthly"), an exact year or month ("in 2025", "in November 2024"), and two
//! periods compared ("vs the month before", "the same month a year earlier"). Like named periods
//! (`period.rs`), these are phrases with one meaning; code applies them to the plan the model wrote
//! instead of trusting a 1.5B model to turn them into fields. On the dev split the model planned
//! "Monthly revenue over the last 12 full months" as one value and "this year vs last year" as a
//! breakdown by year.
//!
//! The same goes the other way: what the question never names is taken out of the plan (a period, a
//! second breakdown field, a "top": `mentions.rs`), and conditions it names beside the plan's fields are
//! added (`named.rs`).

use super::catalog::{Catalog, DimensionKind};
use super::compile::period_field;
use super::mentions::{MONTHS, names_a_time, names_field, words};
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

/// `plan` amended by what `question` (asked on `today`) says: see the module's documentation. What is
/// added is what the question names; what is taken out is what it does not name at all.
pub fn amend(catalog: &Catalog, plan: &Plan, question: &str, today: NaiveDate) -> Plan {
    let mut plan = plan.clone();
    let text = words(question);
    unasked(catalog, &mut plan, &text);
    unranked(&mut plan, &text);
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
    // A "top" with nothing to rank ("last month, and the month before" as two rows) is a value too.
    let ranks_nothing = plan.kind == Kind::Top && plan.group_by.is_empty();
    if ranks_nothing
        || matches!(
            plan.kind,
            Kind::Value | Kind::Breakdown | Kind::Trend | Kind::ComparePrevious | Kind::CompareYearAgo
        )
    {
        compared(&mut plan, question, &text, &has);
    }
    if !matches!(plan.kind, Kind::ComparePrevious | Kind::CompareYearAgo)
        && let Some((from, to)) = last_span(&text, today)
        && let Some(field) = period_field(catalog, &plan)
    {
        plan.period = Period::All;
        plan.filters.retain(|f| f.field != field);
        plan.filters.push(Filter { field: field.clone(), op: Op::Gte, value: from.to_string().into() });
        plan.filters.push(Filter { field, op: Op::Lt, value: to.to_string().into() });
    }
    // An exact year or month the question names replaces the model's own reading of it (dev split:
    // "orders per month in 2025" filtered to ten months).
    if !matches!(plan.kind, Kind::ComparePrevious | Kind::CompareYearAgo)
        && let Some((from, to)) = dates_named(&text)
        && let Some(field) = period_field(catalog, &plan)
    {
        plan.period = Period::All;
        plan.filters.retain(|f| f.field != field || matches!(f.op, Op::IsNull | Op::NotNull));
        plan.filters.push(Filter { field: field.clone(), op: Op::Gte, value: from.to_string().into() });
        plan.filters.push(Filter { field, op: Op::Lt, value: to.to_string().into() });
    }
    named(catalog, plan, &text, today)
}

/// What the question names beside the plan (`named.rs`), each kept only if the plan still compiles.
fn named(catalog: &Catalog, mut plan: Plan, text: &str, today: NaiveDate) -> Plan {
    let compiles = |plan: &Plan| super::compile(catalog, plan, crate::guard::Dialect::Sqlite, today).is_ok();
    if let Some(measure) = super::named::counted(catalog, &plan, text) {
        let mut counted = plan.clone();
        if counted.order_by.as_ref() == counted.measures.first() {
            counted.order_by = Some(measure.clone());
        }
        counted.measures = vec![measure];
        if compiles(&counted) {
            plan = counted;
        }
    }
    for filter in super::named::value_filters(catalog, &plan, text) {
        let mut filtered = plan.clone();
        filtered.filters.push(filter);
        if compiles(&filtered) {
            plan = filtered;
        }
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
    if plan.group_by.is_empty() {
        // One row: nothing to sort or cut.
        (plan.order_by, plan.order, plan.limit) = (None, None, None);
    }
}

/// Takes out what the question never named: a period or date bounds when it names no time at all
/// ("revenue per calendar year" is every year), and a second or third breakdown field it does not name
/// when it names another ("active users on each plan" is not also by device).
fn unasked(catalog: &Catalog, plan: &mut Plan, text: &str) {
    let comparison = matches!(plan.kind, Kind::ComparePrevious | Kind::CompareYearAgo);
    if !comparison && !names_a_time(text) {
        plan.period = Period::All;
        let dated = |f: &Filter| {
            let timed = catalog.dimension(&f.field).is_some_and(|(_, d)| d.kind == DimensionKind::Time);
            let bound = matches!(f.op, Op::Gt | Op::Gte | Op::Lt | Op::Lte | Op::Eq);
            timed
                && bound
                && f.value.as_str().is_some_and(|v| v.get(..4).is_some_and(|y| y.parse::<u16>().is_ok()))
        };
        plan.filters.retain(|f| !dated(f));
    }
    let plain: Vec<(String, bool)> = plan
        .group_by
        .iter()
        .filter(|g| !g.contains(':'))
        .map(|g| (g.clone(), names_field(catalog, g, text)))
        .collect();
    if plain.len() >= 2 && plain.iter().any(|(_, named)| *named) {
        let unnamed: Vec<&String> = plain.iter().filter(|(_, named)| !named).map(|(g, _)| g).collect();
        plan.group_by.retain(|g| !unnamed.contains(&g));
    }
}

/// Small numbers as words ("the last six months", "top three").
const NUMBERS: [&str; 12] =
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/// Words that ask for the best or worst of something, or for a number of rows.
const RANKING: [&str; 22] = [
    "most", "least", "top", "bottom", "best", "worst", "highest", "lowest", "largest", "smallest", "biggest",
    "fewest", "busiest", "quietest", "rank", "ranked", "ranking", "first", "max", "min", "maximum",
    "minimum",
];

/// A "top" the question never asks for: no ranking word and no number ("how many sessions reached each
/// event type" planned as the one biggest). It is the breakdown (or, with no measure, the list) of
/// every row.
fn unranked(plan: &mut Plan, text: &str) {
    let ranks = text.split_whitespace().any(|word| {
        RANKING.contains(&word) || word.ends_with("est") || word.chars().all(|c| c.is_ascii_digit())
    });
    if plan.kind != Kind::Top || ranks || NUMBERS.iter().any(|n| text.contains(&format!(" {n} "))) {
        return;
    }
    plan.kind = if plan.measures.is_empty() { Kind::List } else { Kind::Breakdown };
    plan.limit = None;
}

/// "The last 6 full months", "the past 3 weeks": a span of whole units before the current one (days
/// and weeks end today, as the named `last_7_days` does), when the question names exactly one.
fn last_span(text: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut found = Vec::new();
    for (i, lead) in tokens.iter().enumerate() {
        if !["last", "past", "previous", "prior"].contains(lead) {
            continue;
        }
        let Some(count) = tokens.get(i + 1).and_then(|t| {
            t.parse::<u32>().ok().or_else(|| NUMBERS.iter().position(|n| n == t).map(|p| p as u32 + 1))
        }) else {
            continue;
        };
        let mut at = i + 2;
        if tokens.get(at).is_some_and(|t| ["full", "complete", "whole", "calendar"].contains(t)) {
            at += 1;
        }
        let Some(unit) = tokens.get(at).map(|t| t.trim_end_matches('s')) else { continue };
        if !(1..=120).contains(&count) {
            continue;
        }
        let tomorrow = today.succ_opt()?;
        let month_start = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)?;
        let quarter_start = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1)?;
        let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1)?;
        let months_back = |from: NaiveDate, months: u32| from.checked_sub_months(chrono::Months::new(months));
        let span = match unit {
            "day" => (today.checked_sub_days(chrono::Days::new(u64::from(count) - 1))?, tomorrow),
            "week" => (today.checked_sub_days(chrono::Days::new(7 * u64::from(count) - 1))?, tomorrow),
            "month" => (months_back(month_start, count)?, month_start),
            "quarter" => (months_back(quarter_start, 3 * count)?, quarter_start),
            "year" => (months_back(year_start, 12 * count)?, year_start),
            _ => continue,
        };
        found.push(span);
    }
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn grained(plan: &Plan) -> bool {
    plan.group_by.iter().any(|g| g.contains(':'))
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
    use crate::semantic::plan::Direction;
    use serde_json::Value;

    fn demo() -> Catalog {
        crate::demo::catalog().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Asked on Sunday 2026-11-15, the evals' day.
    fn amended(plan: &Plan, question: &str) -> Plan {
        amend(&demo(), plan, question, NaiveDate::from_ymd_opt(2026, 11, 15).unwrap())
    }

    fn value(measure: &str) -> Plan {
        let mut plan = Plan::new(Kind::Value);
        plan.measures.push(measure.to_string());
        plan
    }

    #[test]
    fn a_grain_the_question_names_becomes_a_trend() {
        let plan = amended(&value("revenue"), "Monthly revenue over the last 12 full months");
        assert_eq!(
            (plan.kind, plan.group_by.as_slice()),
            (Kind::Trend, ["orders.ordered_at:month".to_string()].as_slice())
        );
        let plan = amended(&value("customer_count"), "New customers per calendar year");
        assert_eq!(plan.group_by, ["customers.signed_up_on:year"]);
        // A single average of months, or two grains, is left alone.
        assert_eq!(amended(&value("revenue"), "Average monthly revenue"), value("revenue"));
        assert_eq!(amended(&value("revenue"), "Revenue per month and per year"), value("revenue"));
    }

    #[test]
    fn an_exact_year_or_month_becomes_a_date_range() {
        let plan = amended(&value("order_count"), "number of orders in 2025");
        assert_eq!(plan.filters.len(), 2);
        assert_eq!((plan.filters[0].op, plan.filters[0].value.as_str()), (Op::Gte, Some("2025-01-01")));
        assert_eq!((plan.filters[1].op, plan.filters[1].value.as_str()), (Op::Lt, Some("2026-01-01")));
        let plan = amended(&value("customer_count"), "Customers who signed up in November 2024");
        assert_eq!(plan.filters[0].value.as_str(), Some("2024-11-01"));
        assert_eq!(plan.filters[1].value.as_str(), Some("2024-12-01"));
        // Two years, or a number that is not a date, are the model's to read.
        assert!(amended(&value("order_count"), "orders in 2024 and in 2025").filters.is_empty());
        assert!(amended(&value("order_count"), "order 2025 details").filters.is_empty());
        // The model's own dates for a named year are replaced.
        let mut ten_months = value("order_count");
        ten_months.period = Period::ThisYear;
        ten_months.filters.push(Filter {
            field: "orders.ordered_at".into(),
            op: Op::Lt,
            value: "2025-11-01".into(),
        });
        let plan = amended(&ten_months, "number of orders per month in 2025");
        assert_eq!(plan.period, Period::All);
        let bounds: Vec<Option<&str>> = plan.filters.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(bounds, [Some("2025-01-01"), Some("2026-01-01")]);
    }

    #[test]
    fn two_periods_the_question_compares_become_a_comparison() {
        let mut by_year = value("customer_count");
        by_year.kind = Kind::Breakdown;
        by_year.group_by.push("customers.signed_up_on:year".into());
        let plan = amended(&by_year, "New customer sign-ups this year vs last year, as two columns");
        assert_eq!((plan.kind, plan.period), (Kind::ComparePrevious, Period::ThisYear));
        assert!(plan.group_by.is_empty());
        let mut last_month = value("revenue");
        last_month.period = Period::LastMonth;
        let plan = amended(&last_month, "Revenue last month vs the same month a year earlier");
        assert_eq!((plan.kind, plan.period), (Kind::CompareYearAgo, Period::LastMonth));
        let plan = amended(&value("order_count"), "Orders last quarter compared with the quarter before");
        assert_eq!((plan.kind, plan.period), (Kind::ComparePrevious, Period::LastQuarter));
        let mut copied = plan.clone();
        copied.kind = Kind::CompareYearAgo;
        let plan = amended(&copied, "Tickets opened last quarter vs the quarter before");
        assert_eq!(plan.kind, Kind::ComparePrevious);
        // Month over month keeps its grain (or gets one): each month against the one before.
        let plan = amended(&value("revenue"), "Month over month revenue change");
        assert_eq!(
            (plan.kind, plan.group_by.as_slice()),
            (Kind::ComparePrevious, ["orders.ordered_at:month".to_string()].as_slice())
        );
        let mut trend = value("revenue");
        trend.kind = Kind::Trend;
        trend.group_by.push("orders.ordered_at:month".into());
        let plan = amended(&trend, "Revenue growth month-over-month this year");
        assert_eq!((plan.kind, plan.group_by.len()), (Kind::ComparePrevious, 1));
        let plan = amended(&trend, "Revenue each month this year compared with the month before");
        assert_eq!((plan.kind, plan.group_by.len()), (Kind::ComparePrevious, 1));
        // A question that compares nothing is left alone.
        assert_eq!(amended(&trend, "Revenue per month this year"), trend);
    }

    #[test]
    fn a_period_or_dates_the_question_never_names_are_taken_out() {
        let mut by_year = value("revenue");
        by_year.kind = Kind::Trend;
        by_year.group_by.push("orders.ordered_at:year".into());
        let mut this_year = by_year.clone();
        this_year.period = Period::ThisYear;
        this_year.filters.push(Filter {
            field: "orders.ordered_at".into(),
            op: Op::Gte,
            value: "2026-01-01".into(),
        });
        assert_eq!(amended(&this_year, "Revenue per calendar year"), by_year);
        // A question that names a time keeps the model's reading of it.
        assert_eq!(amended(&this_year, "Revenue per calendar year since 2024").period, Period::ThisYear);
        let mut last_quarter = value("revenue");
        last_quarter.period = Period::LastQuarter;
        assert_eq!(amended(&last_quarter, "Total revenue last quarter"), last_quarter);
        // A missing date is a condition, not a period.
        let mut never = value("customer_count");
        never.filters.push(Filter {
            field: "customers.signed_up_on".into(),
            op: Op::IsNull,
            value: Value::Null,
        });
        assert_eq!(amended(&never, "customers with no sign-up date"), never);
    }

    #[test]
    fn a_breakdown_field_the_question_never_names_is_taken_out_beside_one_it_names() {
        let mut two = value("revenue");
        two.kind = Kind::Breakdown;
        two.group_by = vec!["categories.name".into(), "products.name".into()];
        assert_eq!(amended(&two, "What is the total revenue per product category?").group_by.len(), 2);
        assert_eq!(amended(&two, "Revenue for each category").group_by, ["categories.name"]);
        two.group_by = vec!["orders.channel".into(), "orders.status".into()];
        assert_eq!(amended(&two, "Revenue for each category").group_by.len(), 2);
    }

    #[test]
    fn the_last_n_units_are_whole_units_before_the_current_one() {
        let plan = amended(&value("revenue"), "Average order value per month over the last 6 full months");
        let bounds: Vec<(Op, Option<&str>)> = plan.filters.iter().map(|f| (f.op, f.value.as_str())).collect();
        assert_eq!(bounds, [(Op::Gte, Some("2026-05-01")), (Op::Lt, Some("2026-11-01"))]);
        assert_eq!(plan.filters[0].field, "orders.ordered_at");
        let mut copied = value("order_count");
        copied.period = Period::Last12Months;
        let plan = amended(&copied, "orders in the past two weeks");
        assert_eq!(plan.period, Period::All);
        assert_eq!(plan.filters[0].value.as_str(), Some("2026-11-02"));
        assert_eq!(plan.filters[1].value.as_str(), Some("2026-11-16"));
        let plan = amended(&value("order_count"), "orders over the last 2 quarters");
        assert_eq!(plan.filters[0].value.as_str(), Some("2026-04-01"));
        assert!(amended(&value("order_count"), "the last 3 orders").filters.is_empty());
    }

    #[test]
    fn a_top_that_ranks_nothing_becomes_the_comparison_it_names() {
        let mut top = value("session_count");
        top.kind = Kind::Top;
        top.period = Period::LastMonth;
        (top.order_by, top.order, top.limit) = (Some("session_count".into()), Some(Direction::Desc), Some(2));
        let plan = amended(&top, "How many visits did we have last month, and how many the month before?");
        assert_eq!((plan.kind, plan.period, plan.limit), (Kind::ComparePrevious, Period::LastMonth, None));
    }

    #[test]
    fn what_the_question_names_beside_the_plan_is_added_when_it_compiles() {
        let plan = amended(&value("session_count"), "How many refunded orders are there?");
        assert_eq!(plan.measures, ["order_count"]);
        assert_eq!(plan.filters.len(), 1);
        assert_eq!(plan.filters[0].field, "orders.status");
    }

    #[test]
    fn a_top_the_question_never_asks_for_is_every_row() {
        let mut top = value("session_count");
        top.kind = Kind::Top;
        top.group_by.push("web_events.event_type".into());
        (top.order_by, top.order, top.limit) = (Some("session_count".into()), Some(Direction::Desc), Some(1));
        let plan = amended(&top, "How many distinct sessions reached each event type of the funnel?");
        assert_eq!((plan.kind, plan.limit), (Kind::Breakdown, None));
        for question in
            ["Which event type had the most sessions?", "top 3 event types", "the busiest event type"]
        {
            assert_eq!(amended(&top, question).kind, Kind::Top, "{question}");
        }
    }
}
