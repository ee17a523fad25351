//! The probes of a question: the whole question, and the pieces of it that are searched on their own.
//!
//! One embedding of a whole question is the mean of everything it says, and in a large schema the
//! table it needs is often second-best on every count: the right module but the wrong entity, or the
//! right entity in the wrong module. Hybrid search embeds the pieces too and adds up each table's
//! scores, so the table that matches every piece wins:
//! - a question that asks about two things ("refunds per customer", "total of invoices for each of the
//!   accounts in billing") is split at the connector into what is measured and what it is grouped by;
//! - the closing scope ("... in the people team") is split off, so the subject and the scope are each
//!   matched on their own;
//! - runs of words the schema never uses ("reimbursements" for a `refunds` table) are embedded alone:
//!   keyword search cannot see them and in the whole question they are drowned by the words around them.

use super::keyword::terms;

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

/// What a probe stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// The whole question.
    Whole,
    /// What is measured: "total of invoices in billing" of "... for each of the accounts in billing".
    Measure,
    /// What it is grouped by: "the accounts in billing". The tables joined to its best matches are
    /// where the measure is likely to live.
    Grouping,
    /// The question without its closing scope: "How many refunds are there" of "... in the people team".
    Subject,
    /// The closing scope alone: "the people team".
    Scope,
    /// A run of words the schema never uses.
    Unfamiliar,
}

impl ProbeKind {
    /// How much a probe's match counts against the whole question's: a piece finds what the whole
    /// blurs, but alone it knows less of what was asked.
    pub fn weight(self) -> f32 {
        if self == ProbeKind::Whole { 1.0 } else { 0.5 }
    }
}

/// A text searched for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// What it stands for.
    pub kind: ProbeKind,
    /// What is embedded.
    pub text: String,
}

/// The question's probes: the whole first, then its parts, its subject and scope, and its unfamiliar
/// words. `known(term)` says whether the schema's keyword index holds a search term
/// ([`terms`]).
pub fn probes(question: &str, known: &dyn Fn(&str) -> bool) -> Vec<Probe> {
    let probe = |kind, text: String| Probe { kind, text };
    let mut out = vec![probe(ProbeKind::Whole, question.to_string())];
    let mut pieces = parts(question).into_iter();
    if let (Some(measure), Some(grouping)) = (pieces.next(), pieces.next()) {
        out.push(probe(ProbeKind::Measure, measure));
        out.push(probe(ProbeKind::Grouping, grouping));
    }
    if let Some((subject, scope)) = split_scope(question) {
        out.push(probe(ProbeKind::Subject, subject));
        out.push(probe(ProbeKind::Scope, scope));
    }
    out.extend(unfamiliar(question, known).into_iter().map(|run| probe(ProbeKind::Unfamiliar, run)));
    out
}

/// "How many refunds are there in the people team?" → ("How many refunds are there", "the people team").
pub fn split_scope(question: &str) -> Option<(String, String)> {
    let text = question.trim().trim_end_matches(['?', '.', '!']).trim();
    let scoped = closing_scope(text)?;
    let subject = text[..text.len() - scoped.len()].trim();
    let scope = scoped.split_once(' ').map_or("", |(_, rest)| rest).trim();
    (has_words(subject) && has_words(scope)).then(|| (subject.to_string(), scope.to_string()))
}

/// Runs of words none of whose search terms the schema uses: "reimbursements", "sign-offs". A word of
/// stopwords only, or one the schema knows, ends a run.
pub fn unfamiliar(question: &str, known: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for word in question.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
        let searched = terms(word);
        if !searched.is_empty() && searched.iter().all(|t| !known(t)) {
            run.push(word);
        } else if !run.is_empty() {
            runs.push(run.join(" "));
            run.clear();
        }
    }
    if !run.is_empty() {
        runs.push(run.join(" "));
    }
    runs
}

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
    use super::*;

    #[test]
    fn a_question_becomes_its_whole_its_pieces_and_its_unfamiliar_words() {
        let known = |t: &str| ["refund", "people", "team", "amount", "account"].contains(&t);
        let kinds = |q: &str| -> Vec<(ProbeKind, String)> {
            probes(q, &known).into_iter().map(|p| (p.kind, p.text)).collect()
        };
        assert_eq!(
            kinds("How many reimbursements are there in the people team?"),
            [
                (ProbeKind::Whole, "How many reimbursements are there in the people team?".into()),
                (ProbeKind::Subject, "How many reimbursements are there".into()),
                (ProbeKind::Scope, "the people team".into()),
                (ProbeKind::Unfamiliar, "reimbursements".into()),
            ]
        );
        let joined = kinds("Total amount of sign-offs for each of the accounts in billing");
        assert_eq!(joined[1], (ProbeKind::Measure, "Total amount of sign-offs in billing".into()));
        assert_eq!(joined[2], (ProbeKind::Grouping, "accounts in billing".into()));
        // "sign-offs" is one run; "billing" is unknown too, but a known word stands between them.
        assert_eq!(joined.last(), Some(&(ProbeKind::Unfamiliar, "billing".into())));
        assert!(joined.contains(&(ProbeKind::Unfamiliar, "sign-offs".into())));
        assert_eq!(kinds("refunds").len(), 1, "nothing to split, every word known");
    }

    #[test]
    fn the_scope_is_the_last_one() {
        assert_eq!(
            split_scope("Orders placed in March from the web shop."),
            Some(("Orders placed in March".into(), "the web shop".into()))
        );
        assert_eq!(split_scope("Orders in 42"), None, "no words in the scope");
        assert_eq!(split_scope("Show the invoices"), None);
    }

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
