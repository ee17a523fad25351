//! Prompts are minijinja templates in `prompts/`, embedded at build time; an operator can replace one by
//! putting a file of the same name in `prompts_dir`.

use crate::tools::ToolContext;
use chrono::{Datelike, NaiveDate};

/// The embedded system prompt template.
pub const SYSTEM_TEMPLATE: &str = include_str!("../../prompts/system.md.j2");

/// Renders a system prompt template for the sources in `context`, on `today` (so that "last quarter"
/// means something).
pub fn render_system(template: &str, context: &ToolContext, today: NaiveDate) -> Result<String, String> {
    let sources: Vec<serde_json::Value> = context
        .sources()
        .values()
        .map(|s| {
            serde_json::json!({
                "name": s.name(),
                "dialect": s.dialect().as_str(),
                "language": s.dialect().language(),
                "description": null,
            })
        })
        .collect();
    let dialects: Vec<&str> = context.sources().values().map(|s| s.dialect().as_str()).collect();
    let env = minijinja::Environment::new();
    let sources = minijinja::Value::from(minijinja::value::Serde(&sources));
    let context = minijinja::context! {
        sources => sources, dialects => dialects, today => today.to_string(), periods => periods(today)
    };
    env.render_str(template, context).map_err(|e| format!("the prompt template does not render: {e}"))
}

/// Relative periods written out as half-open date ranges, so that a small model does not have to do
/// calendar arithmetic in SQL (where it often goes wrong) to answer "last quarter".
pub fn periods(today: NaiveDate) -> String {
    let month = |year: i32, month: u32| NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today);
    let shift = |date: NaiveDate, months: i32| {
        let index = date.year() * 12 + date.month0() as i32 + months;
        month(index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
    };
    let this_month = month(today.year(), today.month());
    let this_quarter = month(today.year(), today.month0() / 3 * 3 + 1);
    let this_year = month(today.year(), 1);
    let range = |name: &str, start: NaiveDate, end: NaiveDate| format!("{name}: >= '{start}' and < '{end}'");
    [
        range("this month", this_month, shift(this_month, 1)),
        range("last month", shift(this_month, -1), this_month),
        range("this quarter", this_quarter, shift(this_quarter, 3)),
        range("last quarter", shift(this_quarter, -3), this_quarter),
        range("this year", this_year, shift(this_year, 12)),
        range("last year", shift(this_year, -12), this_year),
    ]
    .join("; ")
}

/// The date ranges of the relative periods `question` names ("last quarter" → `last quarter: >=
/// '2026-07-01' and < '2026-10-01'`), computed by code: a small model told every period picks the wrong
/// one or mixes two, and one told none does calendar arithmetic in SQL. Empty when it names none.
pub fn periods_in(question: &str, today: NaiveDate) -> Vec<String> {
    let question = question.to_lowercase();
    let words: Vec<&str> = question.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let named = |last: &str, unit: &str| words.windows(2).any(|w| w[0] == last && w[1] == unit);
    let all = periods(today);
    all.split("; ")
        .filter(|range| {
            let (which, unit) =
                range.split_once(':').map_or(("", ""), |(name, _)| name.split_once(' ').unwrap_or(("", "")));
            match which {
                "last" => named("last", unit) || named("previous", unit) || named("past", unit),
                "this" => named("this", unit) || named("current", unit),
                _ => false,
            }
        })
        .map(str::to_string)
        .collect()
}

/// The embedded system prompt for the sources in `context`, on `today`.
pub fn system_prompt(context: &ToolContext, today: NaiveDate) -> String {
    render_system(SYSTEM_TEMPLATE, context, today).unwrap_or_else(|error| {
        // The embedded template is snapshot-tested; a failure here is a bug, and the raw text still works.
        tracing::error!(%error, "the embedded system prompt failed to render");
        SYSTEM_TEMPLATE.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_periods_a_question_names_are_given() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        assert_eq!(
            periods_in("Which 5 products made the most revenue last quarter?", today),
            ["last quarter: >= '2026-07-01' and < '2026-10-01'"]
        );
        assert_eq!(periods_in("Revenue in the previous month vs this month", today).len(), 2);
        assert!(periods_in("How many customers are there?", today).is_empty());
        assert!(periods_in("What was the last order?", today).is_empty());
    }

    #[test]
    fn periods_cross_year_boundaries() {
        let on = |y, m, d| periods(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let january = on(2027, 1, 15);
        assert!(january.contains("last month: >= '2026-12-01' and < '2027-01-01'"), "{january}");
        assert!(january.contains("last quarter: >= '2026-10-01' and < '2027-01-01'"), "{january}");
        assert!(january.contains("last year: >= '2026-01-01' and < '2027-01-01'"), "{january}");
        let november = on(2026, 11, 27);
        assert!(november.contains("this quarter: >= '2026-10-01' and < '2027-01-01'"), "{november}");
        assert!(november.contains("last quarter: >= '2026-07-01' and < '2026-10-01'"), "{november}");
        assert!(november.contains("this month: >= '2026-11-01' and < '2026-12-01'"), "{november}");
    }
}
