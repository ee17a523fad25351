//! What differs between engines in a compiled plan: time grains, and qualifying the catalog's
//! expressions with the entities' aliases.

use super::CompileError;
use crate::guard::Dialect;
use crate::semantic::catalog::{Catalog, Entity};
use crate::semantic::plan::Grain;
use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, visit_expressions_mut};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::ops::ControlFlow;

/// A time column truncated to `grain`: months as `YYYY-MM` text, days as `YYYY-MM-DD`, years, hours and
/// weekdays (0 = Sunday) as numbers, the same on every engine.
pub(super) fn grain(dialect: Dialect, grain: Grain, column: &str) -> String {
    match dialect {
        Dialect::Postgres => match grain {
            Grain::Day => format!("to_char({column}, 'YYYY-MM-DD')"),
            Grain::Week => format!("to_char({column}, 'IYYY-\"W\"IW')"),
            Grain::Month => format!("to_char({column}, 'YYYY-MM')"),
            Grain::Quarter => format!("to_char({column}, 'YYYY-\"Q\"Q')"),
            Grain::Year => format!("CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"),
            Grain::Hour => format!("CAST(EXTRACT(HOUR FROM {column}) AS INTEGER)"),
            Grain::Weekday => format!("CAST(EXTRACT(DOW FROM {column}) AS INTEGER)"),
        },
        Dialect::Mysql => match grain {
            Grain::Day => format!("DATE_FORMAT({column}, '%Y-%m-%d')"),
            Grain::Week => format!("DATE_FORMAT({column}, '%x-W%v')"),
            Grain::Month => format!("DATE_FORMAT({column}, '%Y-%m')"),
            Grain::Quarter => format!("CONCAT(YEAR({column}), '-Q', QUARTER({column}))"),
            Grain::Year => format!("YEAR({column})"),
            Grain::Hour => format!("HOUR({column})"),
            Grain::Weekday => format!("(DAYOFWEEK({column}) - 1)"),
        },
        Dialect::Sqlite | Dialect::Mongo | Dialect::Redis => match grain {
            Grain::Day => format!("date({column})"),
            Grain::Week => format!("strftime('%G-W%V', {column})"),
            Grain::Month => format!("strftime('%Y-%m', {column})"),
            Grain::Quarter => {
                format!(
                    "(strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3))"
                )
            }
            Grain::Year => format!("CAST(strftime('%Y', {column}) AS INTEGER)"),
            Grain::Hour => format!("CAST(strftime('%H', {column}) AS INTEGER)"),
            Grain::Weekday => format!("CAST(strftime('%w', {column}) AS INTEGER)"),
        },
    }
}

fn quote_char(dialect: Dialect) -> char {
    if dialect == Dialect::Mysql { '`' } else { '"' }
}

/// Parses one catalog expression and qualifies its columns: a bare column belongs to `owner`;
/// `entity.column` to that entity. Returns the SQL and the entities it reaches.
pub(super) fn qualify(
    dialect: Dialect,
    catalog: &Catalog,
    owner: &Entity,
    text: &str,
) -> Result<(String, Vec<String>), CompileError> {
    let invalid = |e: &dyn std::fmt::Display| {
        CompileError::Invalid(format!("the catalog expression `{text}` does not parse: {e}"))
    };
    let parser_dialect = dialect.parser();
    let mut parser = Parser::new(parser_dialect.as_ref()).try_with_sql(text).map_err(|e| invalid(&e))?;
    let mut expr = parser.parse_expr().map_err(|e| invalid(&e))?;
    if parser.peek_token().token != Token::EOF {
        return Err(invalid(&"it is more than one expression"));
    }
    let quote = quote_char(dialect);
    let alias = |name: &str| Ident::with_quote(quote, name);
    let mut reached = Vec::new();
    let mut unknown = None;
    let _ = visit_expressions_mut(&mut expr, |expr| {
        match expr {
            Expr::Identifier(ident) => {
                *expr = Expr::CompoundIdentifier(vec![alias(&owner.name), ident.clone()]);
            }
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                let entity = parts[0].value.as_str();
                if catalog.entity(entity).is_some() {
                    reached.push(entity.to_string());
                    parts[0] = alias(entity);
                } else {
                    unknown = Some(entity.to_string());
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    if let Some(entity) = unknown {
        return Err(CompileError::Invalid(format!(
            "the catalog expression `{text}` names `{entity}`, which is not an entity"
        )));
    }
    Ok((expr.to_string(), reached))
}

/// An aggregate expression counted only over rows that meet `condition`: each aggregate's argument
/// becomes `CASE WHEN condition THEN argument END` (`COUNT(*)` counts `1`s), so a whole-expression
/// measure (`SUM(a) / COUNT(DISTINCT b)`) can be taken per period or under a default filter just like a
/// plain sum. Aggregates ignore the NULLs the `CASE` leaves for the other rows.
pub(super) fn conditioned(dialect: Dialect, text: &str, condition: &str) -> Result<String, CompileError> {
    let invalid = |e: &dyn std::fmt::Display| CompileError::Invalid(format!("`{text}` does not parse: {e}"));
    let parser_dialect = dialect.parser();
    let mut parser = Parser::new(parser_dialect.as_ref()).try_with_sql(text).map_err(|e| invalid(&e))?;
    let mut expr = parser.parse_expr().map_err(|e| invalid(&e))?;
    // Each aggregate's argument is swapped for a marker, then the marker's text for the CASE: the
    // condition holds `:name` parameters, which are kept out of the parser.
    let mut arguments = Vec::new();
    let _ = visit_expressions_mut(&mut expr, |expr| {
        if let Expr::Function(function) = expr
            && AGGREGATES.contains(&function.name.to_string().to_uppercase().as_str())
            && let FunctionArguments::List(list) = &mut function.args
            && let [FunctionArg::Unnamed(argument)] = list.args.as_mut_slice()
        {
            let text = match &*argument {
                FunctionArgExpr::Wildcard => "1".to_string(),
                other => other.to_string(),
            };
            *argument = FunctionArgExpr::Expr(Expr::Identifier(Ident::new(marker(arguments.len()))));
            arguments.push(text);
        }
        ControlFlow::<()>::Continue(())
    });
    if arguments.is_empty() {
        return Err(CompileError::Invalid(format!("`{text}` has no aggregate to take under a condition")));
    }
    let mut sql = expr.to_string();
    for (index, argument) in arguments.iter().enumerate() {
        sql = sql.replacen(&marker(index), &format!("CASE WHEN {condition} THEN {argument} END"), 1);
    }
    Ok(sql)
}

const AGGREGATES: [&str; 5] = ["SUM", "COUNT", "AVG", "MIN", "MAX"];

fn marker(index: usize) -> String {
    format!("picovis_argument_{index}_")
}
