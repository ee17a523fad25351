//! Oversized values stopped inside the engine, before they are copied to Picovis.
//!
//! A driver copies a whole row out of the engine before Picovis can look at it: sqlx duplicates each
//! SQLite value (so `zeroblob(999999999)`, which SQLite itself never allocates, becomes a gigabyte), and a
//! PostgreSQL `repeat('x', 5e8)` arrives as one 500 MB message. So a query (a `SELECT`, not `EXPLAIN` or
//! `SHOW`) is wrapped so that the engine measures each row (`octet_length`, which reads a blob's size
//! without materialising it) and never sends one whose values together pass the byte cap. Such a row could
//! not have been admitted anyway: every byte of it costs at least a byte when sent. The result ends there,
//! truncated at the byte limit.
//!
//! - **SQLite** filters: `WHERE <row size> COLLATE picovis_within = '<cap>'`, where `picovis_within` is a
//!   collation the connector registers for the query: it calls sizes within the cap equal, and for a
//!   larger one records that a row was held back (the progress handler then stops the statement). A
//!   filter, unlike a projection, keeps SQLite's query flattener at work, so values are not copied from
//!   one query layer to the next (a copy would materialise the zeroblob). The query's own `LIMIT` moves
//!   outside the filter for the same reason (a limited subquery is not flattened).
//! - **PostgreSQL** projects: each value becomes NULL and a flag column is set when the row is too large,
//!   computed in the server, behind an `OFFSET 0` fence so each expression is evaluated once.
//!
//! MySQL and MariaDB are not wrapped: MariaDB ignores `ORDER BY` in a derived table, and the server itself
//! caps a row at `max_allowed_packet`; each value is still measured before it is decoded.

/// The name of the flag column that ends every capped PostgreSQL row.
const FLAG: &str = "picovis_over";
/// The collation the SQLite connector registers for the filter.
pub(super) const SQLITE_COLLATION: &str = "picovis_within";

/// The capped statement for SQLite, for a query with `columns` result columns (`None` for none): `sql`
/// is the query without its outermost `LIMIT` clause, when it has one, and `limit` that clause.
pub(super) fn sqlite(sql: &str, limit: &str, columns: usize, max_bytes: u64) -> Option<String> {
    if columns == 0 {
        return None;
    }
    let names: Vec<String> = (1..=columns).map(|i| format!("picovis_c{i}")).collect();
    let sum = names.iter().map(|c| format!("coalesce(octet_length({c}), 0)")).collect::<Vec<_>>().join(" + ");
    Some(format!(
        "WITH picovis_q({list}) AS ({sql}) SELECT * FROM picovis_q \
         WHERE CAST({sum} AS TEXT) COLLATE {SQLITE_COLLATION} = '{max_bytes}'{limit}",
        list = names.join(", "),
    ))
}

/// Whether a SQLite row of `size` bytes (as text, from the filter) is within `max_bytes`: what the
/// `picovis_within` collation computes for its two arguments, one of which is the cap itself.
pub(super) fn within(a: &str, b: &str, max_bytes: &str) -> bool {
    let size = if a == max_bytes { b } else { a };
    size.parse::<u64>().ok().zip(max_bytes.parse::<u64>().ok()).is_some_and(|(size, max)| size <= max)
}

/// The capped statement for PostgreSQL, for a query whose result columns have `types` (sqlx's upper-case
/// type names). Text and bytea are measured as they are; any other type that can be long (numeric,
/// arrays, JSON, composite, ranges, domains...) by its text form; fixed-size types are not measured.
pub(super) fn postgres(sql: &str, types: &[&str], limit: u64) -> Option<String> {
    if types.is_empty() {
        return None;
    }
    let names: Vec<String> = (1..=types.len()).map(|i| format!("picovis_c{i}")).collect();
    let measured: Vec<String> = names
        .iter()
        .zip(types)
        .filter_map(|(c, kind)| match *kind {
            "BOOL" | "INT2" | "INT4" | "INT8" | "OID" | "FLOAT4" | "FLOAT8" | "DATE" | "TIME" | "TIMETZ"
            | "TIMESTAMP" | "TIMESTAMPTZ" | "UUID" | "INTERVAL" | "MONEY" | "\"CHAR\"" => None,
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "BYTEA" => {
                Some(format!("coalesce(octet_length(q.{c}), 0)"))
            }
            _ => Some(format!("coalesce(octet_length(q.{c}::text), 0)")),
        })
        .collect();
    let sum = if measured.is_empty() { "0".to_string() } else { measured.join(" + ") };
    let values =
        names.iter().map(|c| format!("CASE WHEN s.{FLAG} THEN NULL ELSE q.{c} END")).collect::<Vec<_>>();
    Some(format!(
        "SELECT {values}, s.{FLAG} FROM (SELECT * FROM ({sql}) AS q0 OFFSET 0) AS q({list}) \
         CROSS JOIN LATERAL (SELECT ({sum}) > {limit} AS {FLAG}) AS s",
        values = values.join(", "),
        list = names.join(", "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_wrapped_with_one_measure_per_row() {
        let sql = sqlite("SELECT a, a FROM t ORDER BY 1", " LIMIT 5", 2, 100).unwrap_or_default();
        assert!(sql.starts_with(
            "WITH picovis_q(picovis_c1, picovis_c2) AS (SELECT a, a FROM t ORDER BY 1) SELECT * FROM picovis_q"
        ));
        assert!(sql.ends_with(
            "WHERE CAST(coalesce(octet_length(picovis_c1), 0) + coalesce(octet_length(picovis_c2), 0) AS TEXT) \
             COLLATE picovis_within = '100' LIMIT 5"
        ));
        assert_eq!(sqlite("SELECT", "", 0, 100), None);
        assert!(within("100", "100", "100") && within("100", "7", "100") && within("7", "100", "100"));
        assert!(!within("101", "100", "100") && !within("x", "100", "100"));
        let sql = postgres("SELECT 1, 'x'", &["INT4", "TEXT"], 7).unwrap_or_default();
        assert!(
            sql.contains("AS q(picovis_c1, picovis_c2)")
                && sql.contains("(coalesce(octet_length(q.picovis_c2), 0)) > 7")
        );
    }
}
