//! Keyword search: BM25 over the documents, held in memory and rebuilt from the documents whenever they
//! change (tens of milliseconds for 10,000 tables), so nothing on disk can go stale.
//!
//! Hand-written rather than a search engine crate: the corpus is small, rebuilt whole, and the only
//! features needed are tokens that understand `snake_case` names and a little plural folding.

use super::documents::spaced;
use std::collections::HashMap;

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.75;
/// A document's title (a table's name) counts this many times over: a name match says more than a
/// word somewhere in a column comment.
const TITLE_WEIGHT: usize = 3;

const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from", "have", "how", "in",
    "is", "it", "me", "most", "my", "of", "on", "or", "show", "that", "the", "their", "there", "this", "to",
    "was", "we", "were", "what", "when", "which", "who", "with", "list", "give", "many", "much", "per",
    "each", "all", "our", "get", "find", "made", "make", "top", "than", "into", "about", "been", "has",
    "had", "can", "will", "would", "should", "any", "some", "them", "they", "its", "over", "up", "us", "you",
];

/// Folds a word to its search form: lower case, simple plurals removed.
fn fold(word: &str) -> String {
    let word = word.to_lowercase();
    if word.len() > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..word.len() - 3]);
    }
    if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        return word[..word.len() - 1].to_string();
    }
    word
}

/// The search terms of a text: names split into words, stopwords dropped, plurals folded.
pub fn terms(text: &str) -> Vec<String> {
    spaced(text)
        .split(|c: char| !c.is_alphanumeric())
        // Bare numbers ("top 5", "1 to 5") match noise far more often than meaning.
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !STOPWORDS.contains(&w.to_lowercase().as_str()))
        .map(fold)
        .collect()
}

/// An inverted index over documents numbered 0..n.
#[derive(Debug, Default)]
pub struct Bm25 {
    postings: HashMap<String, Vec<(u32, u16)>>,
    lengths: Vec<u32>,
    average: f32,
}

impl Bm25 {
    /// Indexes `(title, text)` pairs; document `i` is the `i`th pair.
    pub fn build<'a>(documents: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut index = Bm25::default();
        for (number, (title, text)) in documents.into_iter().enumerate() {
            let mut counts: HashMap<String, u16> = HashMap::new();
            let title_terms = terms(title);
            let text_terms = terms(text);
            let length = title_terms.len() * TITLE_WEIGHT + text_terms.len();
            for term in title_terms {
                *counts.entry(term).or_default() += TITLE_WEIGHT as u16;
            }
            for term in text_terms {
                let count = counts.entry(term).or_default();
                *count = count.saturating_add(1);
            }
            for (term, count) in counts {
                index.postings.entry(term).or_default().push((number as u32, count));
            }
            index.lengths.push(length as u32);
        }
        let total: u64 = index.lengths.iter().map(|&l| u64::from(l)).sum();
        index.average =
            if index.lengths.is_empty() { 1.0 } else { total as f32 / index.lengths.len() as f32 };
        index
    }

    /// Whether any document holds `term` (a search term as [`terms`] makes it).
    pub fn knows(&self, term: &str) -> bool {
        self.postings.contains_key(term)
    }

    /// Documents matching any term of `query`, best first, at most `limit`: `(document, score)`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<(usize, f32)> {
        let n = self.lengths.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let mut query_terms = terms(query);
        query_terms.sort();
        query_terms.dedup();
        for term in query_terms {
            let Some(postings) = self.postings.get(&term) else { continue };
            let df = postings.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(document, tf) in postings {
                let tf = f32::from(tf);
                let length = self.lengths[document as usize] as f32;
                let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / self.average));
                *scores.entry(document).or_default() += idf * norm;
            }
        }
        let mut ranked: Vec<(usize, f32)> = scores.into_iter().map(|(d, s)| (d as usize, s)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_split_names_and_fold_plurals() {
        assert_eq!(terms("Which order_items have categories?"), ["order", "item", "category"]);
        assert_eq!(terms("status address"), ["status", "address"]);
    }

    #[test]
    fn a_name_match_outranks_a_comment_match() {
        let index = Bm25::build([
            ("payments", "payments: money received\ncolumns: amount, method"),
            ("orders", "orders: one per checkout; see payments for money\ncolumns: id, total"),
            ("customers", "customers: people\ncolumns: name, email"),
        ]);
        let hits = index.search("payments by method", 10);
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [0, 1]);
        assert!(index.search("zebra", 10).is_empty());
    }
}
