//! What a question names that a small model's plan leaves out or gets wrong, read by code: a category
//! value written in front of its own entity ("active subscriptions", "refunded orders", "enterprise
//! customers") or a glossary term that means one value ("mobile app") is a condition; "how many
//! support conversations" counts support conversations. On the dev split the 1.5B model ranked plans by all accounts for "accounts with an
//! active subscription" and counted events for "support conversations still open".
//!
//! Only the adjacent phrase counts: a value anywhere in a question is too loose (an earlier try that
//! showed the model every value a question mentioned turned "monthly active users" into a filter on
//! monthly billing and cost the SaaS suite four answers).

use super::catalog::{Aggregation, Catalog, DimensionKind, Entity};
use super::mentions::forms;
use super::plan::{Filter, Op, Plan};
use serde_json::Value;

/// Conditions the question names as "<value> <entity>" ("refunded orders") or, for a true/false field,
/// "<its name> <entity>" ("discontinued products"), that the plan has no condition, share or grouping
/// on: one per field, and only where the question names exactly one of the field's values so, not
/// negated ("non-discontinued products").
pub fn value_filters(catalog: &Catalog, plan: &Plan, text: &str) -> Vec<Filter> {
    let used = |field: &str| {
        plan.filters.iter().chain(&plan.share_of).any(|f| f.field == field)
            || plan.group_by.iter().any(|g| g == field)
    };
    let mut found = Vec::new();
    for (field, entity, dimension) in catalog.fields() {
        if used(&field) {
            continue;
        }
        let (words, value): (Vec<String>, fn(&str) -> Value) = match dimension.kind {
            DimensionKind::Category => {
                (dimension.values.clone(), |v| Value::Array(vec![Value::String(v.into())]))
            }
            DimensionKind::Flag => {
                let name = dimension.name.trim_start_matches("is_").trim_start_matches("has_");
                (vec![name.to_string()], |_| Value::Bool(true))
            }
            _ => continue,
        };
        let nouns = nouns(entity, false);
        let named: Vec<&String> = words
            .iter()
            .filter(|word| {
                let word = word.to_lowercase().replace(['_', '-'], " ");
                nouns.iter().any(|noun| {
                    let phrase = format!(" {word} {noun} ");
                    text.contains(&phrase)
                        && !["not", "non", "no"].iter().any(|n| text.contains(&format!(" {n}{phrase}")))
                })
            })
            .collect();
        if let [word] = named.as_slice() {
            let op = if dimension.kind == DimensionKind::Flag { Op::Eq } else { Op::In };
            found.push(Filter { field, op, value: value(word) });
        }
    }
    for (field, value) in glossary_conditions(catalog, text) {
        if !used(&field) && !found.iter().any(|f| f.field == field) {
            found.push(Filter { field, op: Op::In, value: Value::Array(vec![Value::String(value)]) });
        }
    }
    found
}

/// Glossary terms the question uses whose meaning is one value of a category: "physical store" means
/// `orders.channel store`, "declined" means "payments with status failed". The catalog's author said
/// so, wherever the term stands in the question.
fn glossary_conditions(catalog: &Catalog, text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for term in &catalog.glossary {
        let phrase = term.term.to_lowercase().replace(['_', '-'], " ");
        if !text.contains(&format!(" {phrase} ")) {
            continue;
        }
        let words: Vec<&str> = term.means.split_whitespace().collect();
        let (field, value) = match words.as_slice() {
            [field, value] => (field.to_string(), value.to_string()),
            [entity, "with", dimension, value] => (format!("{entity}.{dimension}"), value.to_string()),
            _ => continue,
        };
        let known = catalog
            .dimension(&field)
            .is_some_and(|(_, d)| d.kind == DimensionKind::Category && d.values.contains(&value));
        if known && !found.iter().any(|(f, _)| *f == field) {
            found.push((field, value));
        }
    }
    found
}

/// The count measure to use instead of the plan's one count when the question never names what that
/// counts and names exactly one other entity with a count: "how many support conversations" over an
/// `event_count`.
pub fn counted(catalog: &Catalog, plan: &Plan, text: &str) -> Option<String> {
    let [name] = plan.measures.as_slice() else { return None };
    let (entity, measure) = catalog.measure(name)?;
    if !matches!(measure.agg, Aggregation::Count | Aggregation::CountDistinct) {
        return None;
    }
    let said = |words: &[String]| words.iter().any(|w| text.contains(&format!(" {w} ")));
    let measure_words: Vec<String> = std::iter::once(measure.name.trim_end_matches("_count"))
        .chain(measure.synonyms.iter().map(String::as_str))
        .flat_map(forms)
        .collect();
    if said(&nouns(entity, true)) || said(&measure_words) {
        return None;
    }
    let named: Vec<&Entity> =
        catalog.entities.iter().filter(|e| e.name != entity.name && said(&nouns(e, false))).collect();
    let [other] = named.as_slice() else { return None };
    other.measures.iter().find(|m| m.agg == Aggregation::Count && m.filter.is_none()).map(|m| m.name.clone())
}

/// The words that name an entity: its name and synonyms, singular and plural; `loose` adds the last
/// word of a name of several words ("items" for `order_items`).
fn nouns(entity: &Entity, loose: bool) -> Vec<String> {
    let mut out = Vec::new();
    for name in std::iter::once(&entity.name).chain(&entity.synonyms) {
        let whole = name.to_lowercase().replace(['_', '-'], " ");
        for form in forms(name) {
            // Without `loose`, a last word alone does not name a compound (`items` is not `order_items`).
            if loose || !whole.contains(' ') || form.contains(' ') {
                out.push(form);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::mentions::words as text;

    fn demo() -> Catalog {
        crate::demo::catalog().unwrap()
    }

    fn counting(measure: &str) -> Plan {
        let mut plan = Plan::new(super::super::plan::Kind::Value);
        plan.measures.push(measure.into());
        plan
    }

    #[test]
    fn a_value_in_front_of_its_entity_is_a_condition() {
        let filters =
            value_filters(&demo(), &counting("order_count"), &text("How many refunded orders last year?"));
        assert_eq!(filters.len(), 1);
        assert_eq!(
            (filters[0].field.as_str(), &filters[0].value),
            ("orders.status", &serde_json::json!(["refunded"]))
        );
        let filters =
            value_filters(&demo(), &counting("customer_count"), &text("enterprise customers in 2025"));
        assert_eq!(filters[0].field, "customers.segment");
        // Elsewhere in the question, or already a condition, a value adds nothing.
        assert!(
            value_filters(&demo(), &counting("order_count"), &text("orders that were refunded")).is_empty()
        );
        let mut filtered = counting("order_count");
        filtered.filters.push(Filter {
            field: "orders.status".into(),
            op: Op::In,
            value: serde_json::json!(["paid"]),
        });
        assert!(value_filters(&demo(), &filtered, &text("refunded orders")).is_empty());
        // A true/false field by its name, unless negated.
        let filters =
            value_filters(&demo(), &counting("product_count"), &text("kitchen: discontinued items"));
        assert_eq!(
            (filters[0].field.as_str(), &filters[0].value),
            ("products.discontinued", &serde_json::json!(true))
        );
        assert!(
            value_filters(&demo(), &counting("product_count"), &text("non-discontinued items")).is_empty()
        );
        // A glossary term that means one value, anywhere in the question.
        let filters = value_filters(&demo(), &counting("order_count"), &text("Mobile app orders per month"));
        assert_eq!(
            (filters[0].field.as_str(), &filters[0].value),
            ("orders.channel", &serde_json::json!(["mobile"]))
        );
        let filters =
            value_filters(&demo(), &counting("payment_count"), &text("How many payments were declined?"));
        assert_eq!(
            (filters[0].field.as_str(), &filters[0].value),
            ("payments.status", &serde_json::json!(["failed"]))
        );
        // Two values of one field side by side are a comparison, not a condition.
        assert!(
            value_filters(&demo(), &counting("order_count"), &text("paid orders vs refunded orders"))
                .is_empty()
        );
    }

    #[test]
    fn a_count_of_something_the_question_never_names_counts_what_it_names() {
        let catalog = demo();
        assert_eq!(
            counted(&catalog, &counting("session_count"), &text("How many support tickets are still open?")),
            Some("ticket_count".to_string())
        );
        // What the measure counts is named (by its entity, its own name or a synonym): left alone.
        assert_eq!(counted(&catalog, &counting("order_count"), &text("How many orders are pending?")), None);
        assert_eq!(
            counted(&catalog, &counting("session_count"), &text("How many visits came from google?")),
            None
        );
        assert_eq!(
            counted(&catalog, &counting("ticket_count"), &text("How many tickets per priority?")),
            None
        );
        // Two other entities named: no way to choose.
        assert_eq!(counted(&catalog, &counting("session_count"), &text("tickets about orders")), None);
        // Not a count.
        assert_eq!(counted(&catalog, &counting("revenue"), &text("How many support tickets?")), None);
    }
}
