//! The streaming loop shared by the SQL connectors: decode each row, meter it, hand it to the sink.

use super::budget::{Admit, Budget, Meter, Room, Truncation};
use super::error::SourceError;
use super::sink::RowSink;
use super::value::Value;
use futures_util::TryStreamExt;
use futures_util::stream::BoxStream;

/// Drains `rows` into `sink` until the stream ends or a budget stops it; returns why it stopped early, if
/// it did. On a stop the stream is dropped unfinished; a network engine may still be sending rows, so its
/// connector discards that connection rather than pooling it (SQLite, in-process, just resets the
/// statement).
///
/// `decode` is handed what is left of the byte budget and measures each value in the driver's buffer
/// before copying it out; it returns `None` when a value does not fit, so an oversized value is never
/// decoded. A row past the row cap is not decoded at all.
pub(super) async fn pump<R>(
    mut rows: BoxStream<'_, Result<R, sqlx::Error>>,
    meter: &mut Meter,
    sink: &mut dyn RowSink,
    decode: impl Fn(&R, &mut Room) -> Result<Option<Vec<Value>>, SourceError>,
) -> Result<Option<Truncation>, SourceError> {
    while let Some(row) = rows.try_next().await.map_err(SourceError::from_query)? {
        if let Some(full) = meter.full() {
            return Ok(Some(full));
        }
        let Some(values) = decode(&row, &mut meter.room())? else {
            return Ok(Some(meter.over()));
        };
        drop(row);
        match meter.admit(&values) {
            Admit::Yes => sink.row(values)?,
            Admit::Stop(reason) => return Ok(Some(reason)),
        }
    }
    Ok(None)
}

/// The summary of a finished stream.
pub(super) fn summary(
    meter: &Meter,
    truncated: Option<Truncation>,
    started: std::time::Instant,
) -> super::RunSummary {
    super::RunSummary { rows: meter.rows(), bytes: meter.bytes(), truncated, elapsed: started.elapsed() }
}

/// Quotes an identifier for `dialect` (backticks for MySQL, double quotes elsewhere), doubling any
/// embedded quote character.
pub(crate) fn quote_ident(name: &str, dialect: crate::guard::Dialect) -> String {
    let quote = if dialect == crate::guard::Dialect::Mysql { '`' } else { '"' };
    let doubled = name.replace(quote, &format!("{quote}{quote}"));
    format!("{quote}{doubled}{quote}")
}

/// Binds a checked query's parameters, in order, to a sqlx query.
pub(super) fn bind_params<'q, DB>(
    mut query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    params: &'q [crate::guard::Param],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    f64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    chrono::NaiveDate: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    use crate::guard::Param;
    for param in params {
        query = match param {
            Param::Int(value) => query.bind(*value),
            Param::Float(value) => query.bind(*value),
            Param::Bool(value) => query.bind(*value),
            Param::Text(value) => query.bind(value.as_str()),
            Param::Date(value) => query.bind(*value),
        };
    }
    query
}

/// Settles a pooled connection after a query: the result, with the connection closed instead of pooled
/// when the query failed, ran out of time, or (`discard`) left it in a state that must not be reused.
pub(super) fn settle<DB: sqlx::Database>(
    conn: &mut sqlx::pool::PoolConnection<DB>,
    outcome: Result<Result<super::RunSummary, SourceError>, tokio::time::error::Elapsed>,
    budget: Budget,
    discard: impl FnOnce(&super::RunSummary) -> bool,
) -> Result<super::RunSummary, SourceError> {
    match outcome {
        Ok(Ok(summary)) => {
            if discard(&summary) {
                conn.close_on_drop();
            }
            Ok(summary)
        }
        Ok(Err(error)) => {
            conn.close_on_drop();
            Err(error)
        }
        Err(_) => {
            conn.close_on_drop();
            Err(SourceError::Timeout(budget.timeout))
        }
    }
}

/// Refuses a query checked in another dialect than the connector's.
pub(super) fn check_dialect(
    query: &crate::guard::ReadOnlyQuery,
    dialect: crate::guard::Dialect,
) -> Result<(), SourceError> {
    if query.dialect() == dialect {
        Ok(())
    } else {
        Err(SourceError::Internal(format!("a {} query was sent to a {dialect} source", query.dialect())))
    }
}

#[cfg(test)]
mod tests {
    use super::quote_ident;
    use crate::guard::Dialect;

    #[test]
    fn identifiers_are_quoted_and_escaped() {
        assert_eq!(quote_ident("orders", Dialect::Postgres), "\"orders\"");
        assert_eq!(quote_ident("we\"ird", Dialect::Sqlite), "\"we\"\"ird\"");
        assert_eq!(quote_ident("a`b", Dialect::Mysql), "`a``b`");
    }
}
