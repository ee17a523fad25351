//! `explain_query`: the engine's plan for a query, as structured JSON plus a short summary of what is
//! likely to be slow (full scans of big tables, large sorts, row estimates far from actual counts).

use super::{Tool, ToolContext, ToolError, ToolOutput, parse_args, spec_for};
use crate::error::ErrorCode;
use crate::guard::{Dialect, Guard, QueryKind};
use crate::llm::ToolSpec;
use crate::sources::{self, Value};
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::HashMap;

/// Tables with fewer estimated rows than this are not worth warning about.
const BIG_TABLE_ROWS: f64 = 10_000.0;

// The arguments (no doc comment: it would be sent to the model with the schema).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The SELECT query to explain.
    pub sql: String,
    /// Also run it to compare estimated and actual rows (PostgreSQL; slower).
    #[serde(default)]
    pub analyze: bool,
    /// Source name; defaults to the only or default source.
    #[serde(default)]
    pub source: Option<String>,
}

/// Explains a query.
#[derive(Debug)]
pub struct ExplainQuery;

/// The EXPLAIN statement for a checked SELECT in each dialect (for MongoDB, the checked JSON query with
/// `"explain": true`).
fn explain_sql(dialect: Dialect, select: &str, analyze: bool) -> String {
    match dialect {
        Dialect::Mongo | Dialect::Redis => match serde_json::from_str::<serde_json::Value>(select) {
            Ok(serde_json::Value::Object(mut query)) => {
                query.insert("explain".into(), serde_json::Value::Bool(true));
                serde_json::Value::Object(query).to_string()
            }
            _ => select.to_string(),
        },
        Dialect::Postgres if analyze => format!("EXPLAIN (ANALYZE, FORMAT JSON) {select}"),
        Dialect::Postgres => format!("EXPLAIN (FORMAT JSON) {select}"),
        Dialect::Mysql => format!("EXPLAIN FORMAT=JSON {select}"),
        Dialect::Sqlite => format!("EXPLAIN QUERY PLAN {select}"),
    }
}

/// Findings from a PostgreSQL JSON plan, walked node by node. `table_rows` gives each table's size
/// estimate: a scan's own row count is what it returns, not what it reads.
fn postgres_findings(node: &serde_json::Value, table_rows: &HashMap<String, f64>, out: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or("");
    let rows = node["Plan Rows"].as_f64().unwrap_or(0.0);
    if kind == "Seq Scan" {
        let table = node["Relation Name"].as_str().unwrap_or("?");
        let size = table_rows.get(table).copied().unwrap_or(0.0).max(rows);
        if size >= BIG_TABLE_ROWS {
            out.push(format!(
                "sequential scan of {table} (~{size:.0} rows): an index on the filtered columns may help"
            ));
        }
    }
    if kind == "Sort" && rows >= BIG_TABLE_ROWS * 10.0 {
        out.push(format!("sort of ~{rows:.0} rows"));
    }
    if let Some(actual) = node["Actual Rows"].as_f64() {
        let (low, high) = (rows.min(actual).max(1.0), rows.max(actual));
        if high / low > 10.0 && high > 1000.0 {
            out.push(format!(
                "{kind}: estimated {rows:.0} rows, actually {actual:.0}; statistics may be stale (ANALYZE)"
            ));
        }
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        postgres_findings(child, table_rows, out);
    }
}

/// Findings from MySQL's JSON plan: full table scans.
fn mysql_findings(node: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(object) = node.as_object() {
        if object.get("access_type").and_then(|v| v.as_str()) == Some("ALL") {
            let rows = object
                .get("rows")
                .or_else(|| object.get("rows_examined_per_scan"))
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            if rows >= BIG_TABLE_ROWS {
                let table = object.get("table_name").and_then(|v| v.as_str()).unwrap_or("?");
                out.push(format!(
                    "full scan of {table} (~{rows:.0} rows): an index on the filtered columns may help"
                ));
            }
        }
        for value in object.values() {
            mysql_findings(value, out);
        }
    } else if let Some(array) = node.as_array() {
        for value in array {
            mysql_findings(value, out);
        }
    }
}

#[async_trait]
impl Tool for ExplainQuery {
    fn spec(&self) -> ToolSpec {
        spec_for::<Args>(
            "explain_query",
            "Show how the database would run a SELECT query, and what in it may be slow.",
        )
    }

    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args("explain_query", arguments)?;
        let source = context.source(args.source.as_deref())?;
        let dialect = source.dialect();
        if dialect == Dialect::Redis {
            return Err(ToolError::new(ErrorCode::InvalidArguments, "Redis commands have no query plans"));
        }
        let select = Guard::check(dialect, &args.sql)?;
        if select.kind() != QueryKind::Select {
            return Err(ToolError::new(ErrorCode::InvalidArguments, "explain_query takes a SELECT query"));
        }
        let explain = Guard::check(dialect, &explain_sql(dialect, select.sql(), args.analyze))?;
        let result =
            sources::run(source.as_ref(), &explain, source.budget()).await.map_err(|e| ToolError {
                code: ErrorCode::QueryFailed,
                message: format!("the database could not explain the query: {e}"),
                detail: e.to_string(),
            })?;
        let (plan, findings) = match dialect {
            Dialect::Sqlite => {
                let steps: Vec<String> =
                    result.rows.iter().filter_map(|r| r.last().map(Value::to_text)).collect();
                let findings = steps
                    .iter()
                    .filter(|s| s.starts_with("SCAN ") && !s.contains("USING"))
                    .map(|s| format!("full scan: {s}"))
                    .collect();
                (serde_json::json!(steps), findings)
            }
            Dialect::Mongo => {
                let plan: serde_json::Map<String, serde_json::Value> = result
                    .columns
                    .iter()
                    .zip(result.rows.first().into_iter().flatten())
                    .map(|(column, value)| {
                        (column.name.clone(), serde_json::to_value(value).unwrap_or_default())
                    })
                    .collect();
                let plan = serde_json::Value::Object(plan);
                let mut findings = Vec::new();
                if plan["queryPlanner"].to_string().contains("\"COLLSCAN\"") {
                    findings.push(format!(
                        "collection scan of {}: an index on the filtered fields may help",
                        select.mongo().map_or("the collection", |q| q.collection.as_str())
                    ));
                }
                (plan, findings)
            }
            _ => {
                let text =
                    result.rows.first().and_then(|r| r.first()).map(Value::to_text).unwrap_or_default();
                let plan: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
                let mut findings = Vec::new();
                if dialect == Dialect::Postgres {
                    let schema = context.schema(source).await?;
                    let table_rows: HashMap<String, f64> = schema
                        .tables
                        .iter()
                        .filter_map(|t| t.row_estimate.map(|n| (t.name.clone(), n as f64)))
                        .collect();
                    postgres_findings(&plan[0]["Plan"], &table_rows, &mut findings);
                } else {
                    mysql_findings(&plan, &mut findings);
                }
                (plan, findings)
            }
        };
        let summary =
            if findings.is_empty() { "nothing looks expensive".to_string() } else { findings.join("\n") };
        let for_model = format!("summary:\n{summary}\nplan: {plan}");
        Ok(ToolOutput {
            for_model,
            sql: Some((source.name().to_string(), explain.sql().to_string())),
            result: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_plans_flag_big_scans_and_misestimates() {
        let plan = serde_json::json!({"Node Type": "Hash Join", "Plan Rows": 10.0, "Actual Rows": 50000.0, "Plans": [
            {"Node Type": "Seq Scan", "Relation Name": "orders", "Plan Rows": 200000.0},
            {"Node Type": "Index Scan", "Relation Name": "customers", "Plan Rows": 1.0}
        ]});
        let mut findings = Vec::new();
        postgres_findings(&plan, &HashMap::new(), &mut findings);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert!(findings[0].contains("estimated 10 rows, actually 50000"));
        assert!(findings[1].starts_with("sequential scan of orders"));
    }
}
