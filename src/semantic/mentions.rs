//! Whether a question's words name something: a time, or a catalog field. Code uses it to take out of a
//! small model's plan what the question never asked for: a period added to "revenue per calendar year"
//! (dev split: the model filtered it to this year), a second breakdown field ("active users on each
//! plan" also split by device). Matching is on whole words of the lower-cased question, as `question.rs`
//! writes it (` word word `), with simple singular and plural forms.

use super::catalog::{Catalog, DimensionKind};

/// The months' names, in calendar order.
pub const MONTHS: [&str; 12] = [
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

/// The question lower-cased as ` word word ... `, punctuation dropped, for whole-phrase matching.
pub fn words(question: &str) -> String {
    let lower = question.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    format!(" {} ", words.join(" "))
}

/// Words that tie a question to a time: relative ones ("last", "this", "since"), and ones that pin a
/// date (a month's name, in [`MONTHS`]). A question with none of them asks about all time.
const TIME_WORDS: [&str; 27] = [
    "last",
    "this",
    "past",
    "previous",
    "prior",
    "current",
    "recent",
    "recently",
    "since",
    "ytd",
    "today",
    "yesterday",
    "tonight",
    "ago",
    "during",
    "between",
    "until",
    "before",
    "after",
    "next",
    "q1",
    "q2",
    "q3",
    "q4",
    "weekend",
    "holiday",
    "season",
];

/// Whether `text` (` word word `) names a time at all: a time word or a year.
pub fn names_a_time(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        TIME_WORDS.contains(&word)
            || MONTHS.contains(&word)
            || (word.len() == 4 && word.parse::<u32>().is_ok_and(|year| (1900..=2100).contains(&year)))
    })
}

/// Whether `text` (` word word `) names `field` (`entity.dimension`): its name, a synonym, or one of
/// its values; for a label (`name`, `title`) its entity's name or synonyms, since "each plan" asks for
/// `plans.name`. Unknown fields count as named: only what is known to be absent is taken out.
pub fn names_field(catalog: &Catalog, field: &str, text: &str) -> bool {
    let Some((entity, dimension)) = catalog.dimension(field) else { return true };
    let has = |name: &str| forms(name).iter().any(|form| text.contains(&format!(" {form} ")));
    let label = matches!(dimension.name.as_str(), "name" | "title" | "label" | "full_name");
    (label && (has(&entity.name) || entity.synonyms.iter().any(|s| has(s))))
        || has(&dimension.name)
        || dimension.synonyms.iter().any(|s| has(s))
        || (dimension.kind == DimensionKind::Category && dimension.values.iter().any(|v| has(v)))
}

/// `name` as a question may write it: lower case, underscores as spaces, singular and plural; for a
/// name of several words, its last word too (`order_items` is named by "items").
pub fn forms(name: &str) -> Vec<String> {
    let base = name.to_lowercase().replace(['_', '-'], " ");
    let mut out = Vec::new();
    let mut push = |form: String| {
        if !form.trim().is_empty() && !out.contains(&form) {
            out.push(form);
        }
    };
    let singular = singular(&base);
    push(format!("{singular}s"));
    push(singular.clone());
    push(base.clone());
    if let Some(last) = base.rsplit(' ').next().filter(|_| base.contains(' ')) {
        push(singular_word(last));
        push(last.to_string());
    }
    out
}

fn singular(phrase: &str) -> String {
    match phrase.rsplit_once(' ') {
        Some((head, last)) => format!("{head} {}", singular_word(last)),
        None => singular_word(phrase),
    }
}

fn singular_word(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ses") || word.ends_with("xes") {
        word[..word.len() - 2].to_string()
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_a_relative_word_a_month_or_a_year() {
        for question in [
            "Revenue last quarter",
            "orders in 2025",
            "sign-ups since March",
            "tickets this week",
            "sales YTD",
        ] {
            assert!(names_a_time(&words(question)), "{question}");
        }
        for question in ["Revenue per calendar year", "Number of orders by status", "top customers so far"] {
            assert!(!names_a_time(&words(question)), "{question}");
        }
    }

    #[test]
    fn a_field_is_named_by_its_name_its_entity_or_its_values() {
        let catalog = crate::demo::catalog().unwrap();
        let named = |field: &str, question: &str| names_field(&catalog, field, &words(question));
        assert!(named("categories.name", "Revenue for each category"));
        assert!(named("products.name", "top 5 products by revenue"));
        assert!(named("orders.status", "Number of orders by status"));
        assert!(named("orders.channel", "orders through the mobile app"));
        assert!(!named("orders.channel", "Revenue for each category"));
        assert!(!named("products.name", "Revenue for each category"));
        assert!(named("no.such", "anything"));
    }

    #[test]
    fn names_are_matched_singular_and_plural() {
        assert_eq!(forms("categories"), ["categorys", "category", "categories"]);
        assert!(forms("support_conversations").contains(&"support conversation".to_string()));
        assert!(forms("order_items").contains(&"items".to_string()));
        assert_eq!(singular_word("status"), "status");
        assert_eq!(singular_word("boxes"), "box");
    }
}
