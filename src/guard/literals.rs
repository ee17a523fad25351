//! String literals reach the engine exactly as they were written.
//!
//! The guard renders the parse tree back to SQL, and the rendering is what runs. For most of a statement
//! that is what we want (comments and anything the parser skipped are gone), but a string literal's
//! rendering is only as good as the parser's decoding of it: sqlparser decodes MySQL's `'C:\\Users'` to
//! `C:\Users` and renders `'C:\Users'`, which MySQL reads as `C:Users`; it decodes `'\a'` to a bell
//! character where MySQL reads `a`. So before parsing, every literal token is replaced by a marker
//! literal, and after rendering each marker is replaced by the literal's original text, byte for byte.
//! The engine then decodes the literal itself, as it would have decoded the user's text.
//!
//! This is safe because the tokenizer that found the literal's boundaries is the parser's own, and the
//! restored rendering is parsed and walked again before it runs. For MySQL the connector pins the
//! session's lexical mode to the one the tokenizer assumes (backslash escapes on, `"` quotes strings), so
//! guard and engine agree on where every literal starts and ends.

use super::Dialect;
use super::refusal::{Refusal, RefusalReason};
use sqlparser::tokenizer::{Location, Token, Tokenizer};

/// Opens a marker; never appears in accepted input.
const OPEN: char = '\u{E000}';
/// Closes a marker.
const CLOSE: char = '\u{E001}';
/// Separates two renderings restored together (see `Guard`'s `LIMIT` split); never in accepted input.
pub(super) const SEPARATOR: char = '\u{E002}';

/// The original text of each literal, by marker number.
#[derive(Debug, Default)]
pub(super) struct Literals {
    originals: Vec<String>,
}

/// Replaces every string literal of `sql` by a marker literal (`'<n>'` between private-use characters).
/// Text the tokenizer cannot read is returned as it is, for the parser to refuse with its own message.
pub(super) fn mask(dialect: Dialect, sql: &str) -> Result<(String, Literals), Refusal> {
    if sql.contains([OPEN, CLOSE, SEPARATOR]) {
        return Err(Refusal::new(
            RefusalReason::UnsupportedSyntax,
            "the query contains private-use characters U+E000 to U+E002; remove them",
        ));
    }
    let parser_dialect = dialect.parser();
    let Ok(tokens) = Tokenizer::new(parser_dialect.as_ref(), sql).tokenize_with_location() else {
        return Ok((sql.to_string(), Literals::default()));
    };
    let lines = LineStarts::new(sql);
    let mut masked = String::with_capacity(sql.len());
    let mut literals = Literals::default();
    let mut copied = 0;
    for token in tokens.iter().filter(|t| is_literal(&t.token)) {
        let (Some(start), Some(end)) =
            (lines.offset(sql, token.span.start), lines.offset(sql, token.span.end))
        else {
            return Err(unreadable());
        };
        let Some(text) = sql.get(start..end).filter(|_| start >= copied) else { return Err(unreadable()) };
        masked.push_str(&sql[copied..start]);
        masked.push_str(&format!("'{OPEN}{}{CLOSE}'", literals.originals.len()));
        literals.originals.push(text.to_string());
        copied = end;
    }
    masked.push_str(&sql[copied..]);
    Ok((masked, literals))
}

impl Literals {
    /// Puts the original literals back into `rendered`. Each marker must appear exactly once, inside one
    /// quoted run of markers (MySQL joins adjacent literals, `'a' 'b'`, into one value); anything else
    /// means the parser moved a literal somewhere unexpected, and the query is refused.
    pub(super) fn restore(&self, rendered: &str) -> Result<String, Refusal> {
        let mut out = String::with_capacity(rendered.len());
        let mut used = vec![false; self.originals.len()];
        let mut rest = rendered;
        while let Some(at) = rest.find(OPEN) {
            let quote = rest[..at].chars().next_back().filter(|q| matches!(q, '\'' | '"'));
            let Some(quote) = quote else { return Err(moved()) };
            out.push_str(&rest[..at - quote.len_utf8()]);
            rest = &rest[at..];
            let mut run = Vec::new();
            while let Some(body) = rest.strip_prefix(OPEN) {
                let close = body.find(CLOSE).ok_or_else(moved)?;
                let index: usize = body[..close].parse().map_err(|_| moved())?;
                match used.get_mut(index) {
                    Some(seen) if !*seen => *seen = true,
                    _ => return Err(moved()),
                }
                run.push(self.originals[index].as_str());
                rest = &body[close + CLOSE.len_utf8()..];
            }
            rest = rest.strip_prefix(quote).ok_or_else(moved)?;
            out.push_str(&run.join(" "));
        }
        if rest.contains(CLOSE) || used.contains(&false) {
            return Err(moved());
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A parser message about the masked text, with the original literals back in it.
    pub(super) fn explain(&self, message: &str) -> String {
        let mut text = message.to_string();
        for (index, original) in self.originals.iter().enumerate() {
            text = text.replace(&format!("'{OPEN}{index}{CLOSE}'"), original);
            text = text.replace(&format!("{OPEN}{index}{CLOSE}"), original);
        }
        text
    }
}

/// Tokens whose text is a literal value the engine decodes: every quoted string form the tokenizer
/// knows (plain, national, escaped, Unicode, hex, byte, raw, dollar-quoted...).
fn is_literal(token: &Token) -> bool {
    matches!(
        token,
        Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::TripleSingleQuotedByteStringLiteral(_)
            | Token::TripleDoubleQuotedByteStringLiteral(_)
            | Token::SingleQuotedRawStringLiteral(_)
            | Token::DoubleQuotedRawStringLiteral(_)
            | Token::TripleSingleQuotedRawStringLiteral(_)
            | Token::TripleDoubleQuotedRawStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::QuoteDelimitedStringLiteral(_)
            | Token::NationalQuoteDelimitedStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
    )
}

fn unreadable() -> Refusal {
    Refusal::new(RefusalReason::UnsupportedSyntax, "a string literal could not be located in the query text")
}

fn moved() -> Refusal {
    Refusal::new(
        RefusalReason::UnsupportedSyntax,
        "a string literal is used where the guard cannot keep it as written; simplify the query",
    )
}

/// Byte offsets of line starts, to turn the tokenizer's (line, column) locations (1-based, columns in
/// characters) into byte offsets.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(sql: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(sql.match_indices('\n').map(|(at, _)| at + 1));
        LineStarts(starts)
    }

    fn offset(&self, sql: &str, location: Location) -> Option<usize> {
        let line = usize::try_from(location.line).ok()?.checked_sub(1)?;
        let column = usize::try_from(location.column).ok()?.checked_sub(1)?;
        let start = *self.0.get(line)?;
        let text = &sql[start..];
        match text.char_indices().nth(column) {
            Some((at, _)) => Some(start + at),
            None if text.chars().count() == column => Some(sql.len()),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(dialect: Dialect, sql: &str) -> String {
        let (masked, literals) = mask(dialect, sql).unwrap_or_else(|e| unreachable!("{e}"));
        literals.restore(&masked).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn literals_are_masked_and_restored_byte_for_byte() {
        let sql = "SELECT 'C:\\\\Users' AS p, '5' REGEXP '\\\\d', 'it''s',\n  N'ü\\'x', X'41', \"dq\"";
        let (masked, literals) = mask(Dialect::Mysql, sql).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(!masked.contains("Users") && !masked.contains("it''s"), "{masked}");
        assert_eq!(literals.originals.len(), 7, "{:?}", literals.originals);
        assert_eq!(literals.originals[0], "'C:\\\\Users'");
        assert_eq!(round_trip(Dialect::Mysql, sql), sql);
        for sql in ["SELECT E'a\\'b', $t$x'y$t$, 'ä''ö'", "SELECT U&'d\\0061t'"] {
            assert_eq!(round_trip(Dialect::Postgres, sql), sql);
        }
    }

    #[test]
    fn a_marker_that_is_missing_doubled_or_unquoted_is_refused() {
        let (_, literals) = mask(Dialect::Sqlite, "SELECT 'a', 'b'").unwrap_or_else(|e| unreachable!("{e}"));
        assert!(literals.restore(&format!("SELECT '{OPEN}0{CLOSE}'")).is_err());
        assert!(literals.restore(&format!("SELECT '{OPEN}0{CLOSE}', '{OPEN}0{CLOSE}'")).is_err());
        assert!(literals.restore(&format!("SELECT {OPEN}0{CLOSE}, '{OPEN}1{CLOSE}'")).is_err());
        let joined = literals.restore(&format!("SELECT '{OPEN}0{CLOSE}{OPEN}1{CLOSE}'"));
        assert_eq!(joined.ok().as_deref(), Some("SELECT 'a' 'b'"));
        assert!(mask(Dialect::Sqlite, "SELECT '\u{E000}'").is_err());
    }
}
