//! Named parameters (`:name`) for reviewed statements, bound by the driver, never pasted into the text.
//!
//! Custom tools are SQL an operator wrote, with `:start`, `:limit` and the like where the model supplies
//! values. The guard turns each `:name` into the dialect's positional placeholder and records the values
//! in order; the connector binds them. The statement the guard checks is the statement that runs.

use super::{Dialect, Refusal, RefusalReason};
use serde::Serialize;
use sqlparser::ast::{Expr, Statement, Value, visit_expressions_mut};
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// A typed parameter value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(String),
    /// A calendar date.
    Date(chrono::NaiveDate),
}

/// Replaces each `:name` in `statement` with a positional placeholder and returns the values in order.
pub(super) fn bind(
    statement: &mut Statement,
    dialect: Dialect,
    values: &BTreeMap<String, Param>,
) -> Result<Vec<Param>, Refusal> {
    let mut ordered = Vec::new();
    let outcome = visit_expressions_mut(statement, |expr| {
        if let Expr::Value(value) = expr
            && let Value::Placeholder(placeholder) = &value.value
        {
            let Some(name) = placeholder.strip_prefix(':') else {
                return ControlFlow::Break(Refusal::new(
                    RefusalReason::UnsupportedSyntax,
                    format!("placeholder `{placeholder}`: write parameters as :name"),
                ));
            };
            let Some(param) = values.get(name) else {
                return ControlFlow::Break(Refusal::new(
                    RefusalReason::UnsupportedSyntax,
                    format!("parameter :{name} has no value"),
                ));
            };
            ordered.push(param.clone());
            value.value = Value::Placeholder(match dialect {
                Dialect::Postgres => format!("${}", ordered.len()),
                // MongoDB and Redis queries take no parameters and never reach here.
                Dialect::Mysql | Dialect::Sqlite | Dialect::Mongo | Dialect::Redis => "?".to_string(),
            });
        }
        ControlFlow::Continue(())
    });
    match outcome {
        ControlFlow::Break(refusal) => Err(refusal),
        ControlFlow::Continue(()) => Ok(ordered),
    }
}
