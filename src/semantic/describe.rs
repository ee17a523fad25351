//! The catalog as a small model reads it: measures, fields with their kinds and values, the glossary,
//! and worked examples of plans. The text is the same for every question on a source, so it sits in
//! the cached prefix of the prompt.

use super::catalog::{Aggregation, Catalog, DimensionKind};
use super::period::Period;
use super::plan::{Filter, Having, Kind, Op, Plan};
use serde_json::json;
use std::fmt::Write;

/// Measures, fields and glossary, one line each.
pub fn catalog_text(catalog: &Catalog) -> String {
    let mut text = String::new();
    if let Some(description) = &catalog.description {
        let _ = writeln!(text, "{description}");
    }
    text.push_str("Measures:\n");
    for (entity, measure) in catalog.measures() {
        let _ = write!(text, "- {}: ", measure.name);
        match &measure.description {
            Some(description) => text.push_str(description),
            None => {
                let _ = write!(text, "{:?} of {}", measure.agg, entity.name);
            }
        }
        if let Some(unit) = &measure.unit {
            let _ = write!(text, " [{unit}]");
        }
        if !measure.synonyms.is_empty() {
            let _ = write!(text, " (also: {})", measure.synonyms.join(", "));
        }
        text.push('\n');
    }
    text.push_str("Fields:\n");
    let mut entity_seen = String::new();
    for (field, entity, dimension) in catalog.fields() {
        if entity_seen != entity.name {
            entity_seen = entity.name.clone();
            let _ = write!(text, "# {}", entity.name);
            if let Some(description) = &entity.description {
                let _ = write!(text, ": {description}");
            }
            if !entity.synonyms.is_empty() {
                let _ = write!(text, " (also: {})", entity.synonyms.join(", "));
            }
            text.push('\n');
        }
        let kind = match dimension.kind {
            DimensionKind::Category => "category",
            DimensionKind::Time => "time",
            DimensionKind::Number => "number",
            DimensionKind::Flag => "true/false",
            DimensionKind::Text => "text",
        };
        let _ = write!(text, "- {field} ({kind})");
        if let Some(description) = &dimension.description {
            let _ = write!(text, ": {description}");
        }
        if !dimension.values.is_empty() {
            let _ = write!(text, " values: {}", dimension.values.join(", "));
        }
        text.push('\n');
    }
    if !catalog.glossary.is_empty() {
        text.push_str("Glossary:\n");
        for term in &catalog.glossary {
            let _ = writeln!(text, "- {}: {}", term.term, term.means);
        }
    }
    text
}

/// Worked examples of questions and their plans, made from the catalog itself so their names are real:
/// a count, a breakdown, a top N, a trend, shares, periods compared, a running total, a filtered value
/// and a question a plan cannot say.
pub fn examples(catalog: &Catalog) -> Vec<(String, Plan)> {
    let mut out = Vec::new();
    // The entity with the most measures and a time field is the catalog's main fact.
    let fact = catalog
        .entities
        .iter()
        .filter(|e| e.time.is_some() && !e.measures.is_empty())
        .max_by_key(|e| e.measures.len())
        .or_else(|| catalog.entities.iter().find(|e| !e.measures.is_empty()));
    let Some(fact) = fact else { return out };
    // "How many" examples need a count; the top N needs an amount that adds up (a sum).
    let count = fact.measures.iter().find(|m| m.agg == Aggregation::Count).unwrap_or(&fact.measures[0]);
    // Example questions sit outside the catalog's fence, so the values they quote (which come from the
    // data) must be plain: short, one line, nothing a model could read as markup or JSON.
    let plain = |v: &&String| v.len() <= 40 && !v.contains(['\n', '\r', '<', '>', '{', '}', '"', '`']);
    let category = catalog.fields().find_map(|(field, e, d)| {
        let values: Vec<&String> = d.values.iter().filter(plain).take(2).collect();
        (e.name == fact.name && d.kind == DimensionKind::Category && values.len() == 2)
            .then(|| (field, d, values[0].clone(), values[1].clone()))
    });
    let words = |name: &str| name.replace('_', " ");
    let mut value = Plan::new(Kind::Value);
    value.measures.push(count.name.clone());
    value.period = Period::LastMonth;
    out.push((format!("How many {} were there last month?", words(&fact.name)), value));
    if let Some((field, dimension, first, second)) = &category {
        let mut breakdown = Plan::new(Kind::Breakdown);
        breakdown.measures.push(count.name.clone());
        breakdown.group_by.push(field.clone());
        out.push((format!("{} per {}", words(&count.name), words(&dimension.name)), breakdown));
        let mut filtered = Plan::new(Kind::Value);
        filtered.measures.push(count.name.clone());
        filtered.filters.push(Filter { field: field.clone(), op: Op::In, value: json!([first]) });
        filtered.period = Period::ThisYear;
        out.push((format!("How many {first} {} this year?", words(&fact.name)), filtered));
        let mut share = Plan::new(Kind::Share);
        share.measures.push(count.name.clone());
        share.share_of.push(Filter { field: field.clone(), op: Op::In, value: json!([second]) });
        out.push((format!("What percent of {} are {second}?", words(&fact.name)), share));
        let mut of_total = Plan::new(Kind::Share);
        of_total.measures.push(count.name.clone());
        of_total.group_by.push(field.clone());
        out.push((
            format!("Each {}'s share of {}, in percent", words(&dimension.name), words(&count.name)),
            of_total,
        ));
    }
    let sum = fact
        .measures
        .iter()
        .find(|m| m.agg == Aggregation::Sum)
        .or_else(|| catalog.measures().find(|(_, m)| m.agg == Aggregation::Sum).map(|(_, m)| m));
    // A name field of another entity than the fact (products by revenue), else any.
    let names: Vec<_> = catalog
        .fields()
        .filter(|(_, _, d)| d.kind == DimensionKind::Text && d.name.contains("name"))
        .collect();
    let named = names.iter().find(|(_, e, _)| e.name != fact.name).or(names.first());
    if let (Some(measure), Some((field, entity, _))) = (sum, named) {
        let mut top = Plan::new(Kind::Top);
        top.measures.push(measure.name.clone());
        top.group_by.push(field.clone());
        top.period = Period::LastQuarter;
        top.order_by = Some(measure.name.clone());
        top.order = Some(super::plan::Direction::Desc);
        top.limit = Some(5);
        out.push((format!("Top 5 {} by {} last quarter", words(&entity.name), words(&measure.name)), top));
    }
    if let Some(time) = &fact.time {
        // The fact's time may be another entity's (order lines are dated by their order).
        let field = if time.contains('.') { time.clone() } else { format!("{}.{time}", fact.name) };
        let mut trend = Plan::new(Kind::Trend);
        trend.measures.push(count.name.clone());
        trend.group_by.push(format!("{field}:month"));
        trend.period = Period::ThisYear;
        out.push((format!("{} per month this year", words(&count.name)), trend.clone()));
        let mut compared = Plan::new(Kind::ComparePrevious);
        compared.measures.push(count.name.clone());
        compared.period = Period::LastMonth;
        out.push((format!("{} last month compared with the month before", words(&count.name)), compared));
        let mut year_ago = Plan::new(Kind::CompareYearAgo);
        year_ago.measures.push(count.name.clone());
        year_ago.period = Period::LastQuarter;
        out.push((
            format!("{} last quarter vs the same quarter a year earlier", words(&count.name)),
            year_ago,
        ));
        let mut growth = trend.clone();
        growth.kind = Kind::ComparePrevious;
        out.push((format!("Month-over-month change in {} this year", words(&count.name)), growth));
        let mut running = trend;
        running.kind = Kind::RunningTotal;
        running.measures = vec![sum.map_or_else(|| count.name.clone(), |m| m.name.clone())];
        out.push((format!("Running total of {} by month this year", words(&running.measures[0])), running));
    }
    // A measure per row of the entity the fact belongs to: "customers with more than 1 order".
    let owner = catalog.joins.iter().find_map(|join| {
        let (from, _) = join.from.split_once('.')?;
        let (to, _) = join.to.split_once('.')?;
        let entity = catalog.entity(to).filter(|_| from == fact.name)?;
        entity.measures.iter().find(|m| m.agg == Aggregation::Count).map(|m| (entity, m))
    });
    if let Some((entity, counted)) = owner {
        let mut having = Plan::new(Kind::Value);
        having.measures.push(counted.name.clone());
        having.having.push(Having { measure: count.name.clone(), op: Op::Gt, value: json!(1) });
        out.push((
            format!("How many {} have more than 1 {}?", words(&entity.name), words(&fact.name)),
            having,
        ));
    }
    out.extend(catalog.examples.iter().map(|e| (e.question.clone(), e.plan.clone())));
    // A made-up example that does not compile (a join the catalog lacks, a share of an average) would
    // teach a plan that fails: only those that compile are shown.
    let day = chrono::NaiveDate::from_ymd_opt(2000, 6, 15).unwrap_or_default();
    out.retain(|(_, plan)| super::compile(catalog, plan, crate::guard::Dialect::Sqlite, day).is_ok());
    let mut other = Plan::new(Kind::Other);
    other.measures.push(count.name.clone());
    out.push((format!("How many {} did the median customer have?", words(&fact.name)), other));
    out
}

/// The examples as prompt text: `Q: ...` then the plan's JSON.
pub fn examples_text(examples: &[(String, Plan)]) -> String {
    let mut text = String::new();
    for (question, plan) in examples {
        let _ = writeln!(text, "Q: {question}\nA: {}", plan.compact_json());
    }
    text
}

/// What a plan's answer covers, in words, from the plan and code alone: the period with its dates,
/// the filters and the measures' units ("Last quarter (2026-07-01 to 2026-09-30); orders.channel in
/// store; revenue in USD."). `None` when there is nothing to say.
pub fn scope(plan: &Plan, catalog: &Catalog, today: chrono::NaiveDate) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(range) = plan.period.range(today) {
        let last = range.to.pred_opt().unwrap_or(range.to);
        let name = plan.period.as_str().replace('_', " ");
        let mut name = name.chars();
        let capitalised: String =
            name.next().map(|c| c.to_uppercase().chain(name).collect()).unwrap_or_default();
        parts.push(format!("{capitalised} ({} to {last})", range.from));
        let before = match plan.kind {
            Kind::ComparePrevious if !plan.group_by.iter().any(|g| g.contains(':')) => {
                plan.period.previous(today).map(|r| (plan.period.previous_label().replace('_', " "), r))
            }
            Kind::CompareYearAgo => {
                plan.period.year_earlier(today).map(|r| ("a year earlier".to_string(), r))
            }
            _ => None,
        };
        if let Some((name, range)) = before {
            let last = range.to.pred_opt().unwrap_or(range.to);
            parts.push(format!("compared with {name} ({} to {last})", range.from));
        }
    }
    for filter in &plan.filters {
        let value = match &filter.value {
            serde_json::Value::Null => String::new(),
            serde_json::Value::Array(values) => {
                format!(
                    " {}",
                    values
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            serde_json::Value::String(text) => format!(" {text}"),
            other => format!(" {other}"),
        };
        parts.push(format!("{} {}{value}", filter.field, filter.op.words()));
    }
    for entity in &plan.with {
        parts.push(format!("only with {entity}"));
    }
    for entity in &plan.without {
        parts.push(format!("only without {entity}"));
    }
    for having in &plan.having {
        parts.push(format!("only where {} {} {}", having.measure, having.op.words(), having.value));
    }
    let units: Vec<String> = plan
        .measures
        .iter()
        .filter_map(|name| catalog.measure(name))
        .filter_map(|(_, m)| m.unit.as_ref().map(|unit| format!("{} in {unit}", m.name.replace('_', " "))))
        .collect();
    match plan.kind {
        Kind::Share => parts.push("shares in percent".into()),
        Kind::ComparePrevious | Kind::CompareYearAgo => {
            parts.extend(units);
            parts.push("change_percent in percent".into());
        }
        _ => parts.extend(units),
    }
    (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
}
