//! Splitting a question that asks about two things ("refunds per customer", "total of invoices for each
//! of the accounts in billing") into one search per thing.
//!
//! One embedding of the whole question lands between its two subjects and often finds neither table
//! well; the second subject, named last, is the one most often lost. Each part is searched on its own as
//! well, and its ranking joins the fusion at a lower weight than the whole question's.

/// Phrases that join what is measured to what it is grouped by, longest first so "for each of the"
/// wins over "for each". Plain "by" is left out: "by status" groups by a column far more often than by
/// a table.
const CONNECTORS: &[&str] = &[
    "broken down by",
    "for each of the",
    "for every one of the",
    "together with their",
    "together with the",
    "along with their",
    "along with the",
    "for each of",
    "grouped by",
    "for every",
    "for each",
    "with their",
    "by each",
    "per",
];

/// Words that scope a whole question ("... in billing") and so belong to both parts.
const SCOPES: &[&str] = &["in", "within", "from", "at"];

/// The question's parts when it joins two subjects, each carrying the question's closing scope; empty
/// when it does not.
pub fn parts(question: &str) -> Vec<String> {
    let lower = question.to_ascii_lowercase();
    let Some((start, end)) = find_connector(&lower) else { return Vec::new() };
    let head = question[..start].trim();
    let tail = question[end..].trim().trim_end_matches(['?', '.', '!']).trim();
    if !has_words(head) || !has_words(tail) {
        return Vec::new();
    }
    let scope = closing_scope(tail);
    let head = match scope {
        Some(scope) if !head.to_ascii_lowercase().contains(&scope.to_ascii_lowercase()) => {
            format!("{head} {scope}")
        }
        _ => head.to_string(),
    };
    vec![head, tail.to_string()]
}

/// The byte range of the first connector standing as whole words.
fn find_connector(lower: &str) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for connector in CONNECTORS {
        let mut from = 0;
        while let Some(found) = lower[from..].find(connector) {
            let start = from + found;
            let end = start + connector.len();
            if boundary(lower, start, end) {
                if best.is_none_or(|(s, e)| start < s || (start == s && end > e)) {
                    best = Some((start, end));
                }
                break;
            }
            from = end;
        }
    }
    best
}

fn boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    before && after
}

/// "in billing" from "the client accounts in billing": the last scope word and what follows it.
fn closing_scope(tail: &str) -> Option<&str> {
    let lower = tail.to_ascii_lowercase();
    SCOPES
        .iter()
        .filter_map(|scope| {
            let needle = format!(" {scope} ");
            lower.rfind(&needle).map(|at| at + 1)
        })
        .max()
        .map(|at| &tail[at..])
}

fn has_words(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| w.len() > 2)
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn two_subjects_become_two_searches_sharing_the_scope() {
        assert_eq!(
            parts("Total amount of bills for each of the client accounts in billing"),
            ["Total amount of bills in billing", "client accounts in billing"]
        );
        assert_eq!(parts("refunds per customer?"), ["refunds", "customer"]);
        assert_eq!(
            parts("Orders together with their shipments from the web shop"),
            ["Orders from the web shop", "shipments from the web shop"]
        );
    }

    #[test]
    fn single_subjects_and_column_groupings_stay_whole() {
        assert!(parts("What is the total amount of bills by status in billing?").is_empty());
        assert!(parts("How many support requests are there in helpdesk?").is_empty());
        assert!(parts("Show the percentage of returns").is_empty(), "per inside a word");
        assert!(parts("per customer").is_empty(), "nothing before the connector");
    }
}
