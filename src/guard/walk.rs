//! The node walk: every statement, query, select, expression and table factor of a parsed statement is
//! visited, so a forbidden construct is found however deep it is nested.

use super::denylist;
use super::hints;
use super::query::QueryKind;
use super::refusal::{Refusal, RefusalReason};
use sqlparser::ast::{
    BinaryOperator, Expr, ObjectName, ObjectNamePart, Query, Select, Statement, TableFactor, Visit, Visitor,
};
use std::ops::ControlFlow;

/// Walks one statement and returns what kind of read it is, or the first reason to refuse it.
pub(super) fn classify(statement: &Statement) -> Result<QueryKind, Refusal> {
    let mut walker = Walker { top: None };
    match statement.visit(&mut walker) {
        ControlFlow::Break(refusal) => Err(refusal),
        ControlFlow::Continue(()) => walker
            .top
            .ok_or_else(|| Refusal::new(RefusalReason::UnsupportedSyntax, "no statement found to classify")),
    }
}

struct Walker {
    /// The kind of the outermost statement, set when it is first visited.
    top: Option<QueryKind>,
}

impl Visitor for Walker {
    type Break = Refusal;

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<Refusal> {
        if self.top.is_some() {
            // A statement inside another one: only a plain query may nest (EXPLAIN's target, subqueries).
            return match statement {
                Statement::Query(_) => ControlFlow::Continue(()),
                other => ControlFlow::Break(Refusal::new(
                    RefusalReason::NestedStatement,
                    format!(
                        "a {} statement is nested inside the query (for example a data-modifying CTE or \
                         EXPLAIN of a non-query); only read-only queries may appear there",
                        keyword(other)
                    ),
                )),
            };
        }
        match top_level_kind(statement) {
            Ok(kind) => {
                self.top = Some(kind);
                ControlFlow::Continue(())
            }
            Err(refusal) => ControlFlow::Break(refusal),
        }
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Refusal> {
        if !query.locks.is_empty() {
            return ControlFlow::Break(Refusal::new(
                RefusalReason::LockingClause,
                "locking clauses (FOR UPDATE, FOR SHARE and the like) take row locks; remove the clause",
            ));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<Refusal> {
        if select.into.is_some() {
            return ControlFlow::Break(Refusal::new(
                RefusalReason::SelectInto,
                "SELECT ... INTO writes a table or variables; select the rows without INTO",
            ));
        }
        for hint in &select.optimizer_hints {
            if let Err(refusal) = hints::check(hint) {
                return ControlFlow::Break(refusal);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Refusal> {
        match expr {
            Expr::Function(function) => check_function_name(&function.name),
            // MySQL's `@v := expr` writes a session variable that outlives the query (and the caller).
            Expr::BinaryOp { op: BinaryOperator::Assignment, .. } => ControlFlow::Break(Refusal::new(
                RefusalReason::SelectInto,
                "assigning a variable (`@v := ...`) writes session state; select the value instead",
            )),
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Refusal> {
        // `FROM f(args)` parses as a table with arguments in some dialects and as a function in others.
        let (name, arguments) = match factor {
            TableFactor::Table { name, args: Some(args), .. } => (name, Some(args.args.len())),
            TableFactor::Function { name, args, .. } => (name, Some(args.len())),
            TableFactor::Table { name, .. } => (name, None),
            _ => return ControlFlow::Continue(()),
        };
        match arguments {
            Some(_) => check_function_name(name)?,
            None => check_name_parts(name)?,
        }
        let last = name.0.last().and_then(ObjectNamePart::as_ident).map(|ident| ident.value.as_str());
        match last.and_then(|last| denylist::denied_pragma(last, arguments.unwrap_or(0))) {
            Some(entry) => ControlFlow::Break(Refusal::new(
                RefusalReason::DeniedFunction,
                format!(
                    "`{}` runs a pragma that is not a read (matches `{entry}`); only the schema pragmas, and \
                     pragma values without an argument, may be read as tables",
                    last.unwrap_or_default()
                ),
            )),
            None => ControlFlow::Continue(()),
        }
    }
}

/// The allowlist of outermost statements.
fn top_level_kind(statement: &Statement) -> Result<QueryKind, Refusal> {
    match statement {
        Statement::Query(_) => Ok(QueryKind::Select),
        Statement::Explain { statement: inner, analyze, .. } => match inner.as_ref() {
            Statement::Query(_) => Ok(QueryKind::Explain),
            other if *analyze => Err(Refusal::new(
                RefusalReason::StatementNotAllowed,
                format!(
                    "EXPLAIN ANALYZE executes its statement; it is allowed only for queries, not {}",
                    keyword(other)
                ),
            )),
            other => Err(Refusal::new(
                RefusalReason::StatementNotAllowed,
                format!("EXPLAIN is allowed only for queries, not {}", keyword(other)),
            )),
        },
        Statement::ExplainTable { .. } => Ok(QueryKind::Describe),
        Statement::ShowFunctions { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowStatus { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowCreate { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowCatalogs { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowCharset(_)
        | Statement::ShowObjects(_)
        | Statement::ShowTables { .. }
        | Statement::ShowViews { .. }
        | Statement::ShowCollation { .. } => Ok(QueryKind::Show),
        other => Err(Refusal::new(
            RefusalReason::StatementNotAllowed,
            format!(
                "{} statements are not allowed; only SELECT, WITH, VALUES, EXPLAIN of a query, SHOW and \
                 DESCRIBE are",
                keyword(other)
            ),
        )),
    }
}

fn check_function_name(name: &ObjectName) -> ControlFlow<Refusal> {
    check_name_parts(name)?;
    let last = name.0.last().and_then(ObjectNamePart::as_ident).map(|ident| ident.value.as_str());
    // PostgreSQL decodes `U&"pg\005fsleep"` to pg_sleep; the parser keeps the escape. Function names with
    // anything but plain identifier characters are refused rather than decoded and guessed at.
    if let Some(name) = last
        && !name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return ControlFlow::Break(Refusal::new(
            RefusalReason::UnsupportedSyntax,
            "function names with escapes or special characters are not supported; call functions by their plain name",
        ));
    }
    match last.and_then(denylist::matching_entry) {
        Some(entry) => ControlFlow::Break(Refusal::new(
            RefusalReason::DeniedFunction,
            format!(
                "function `{}` is denied (matches `{entry}`): it can read files, sleep, lock, change settings \
                 or state, or run SQL the guard cannot see",
                last.unwrap_or_default()
            ),
        )),
        None => ControlFlow::Continue(()),
    }
}

/// Computed name parts (`IDENTIFIER(...)` and the like) hide what is really referenced; refuse them.
fn check_name_parts(name: &ObjectName) -> ControlFlow<Refusal> {
    if name.0.iter().any(|part| part.as_ident().is_none()) {
        return ControlFlow::Break(Refusal::new(
            RefusalReason::UnsupportedSyntax,
            "computed object names are not supported; name tables and functions directly",
        ));
    }
    ControlFlow::Continue(())
}

/// The leading keyword(s) of a statement, for messages: never the data in it.
pub(super) fn keyword(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> =
        text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).take(2).collect();
    let upper = words.iter().map(|w| w.to_ascii_uppercase()).collect::<Vec<_>>();
    // Two words when the second is part of the command (CREATE TABLE, START TRANSACTION), else one.
    match upper.as_slice() {
        [first, second]
            if matches!(
                first.as_str(),
                "CREATE" | "DROP" | "ALTER" | "START" | "LOAD" | "LOCK" | "REPLACE" | "INSERT" | "DELETE"
            ) && second.len() > 3 =>
        {
            format!("{first} {second}")
        }
        [first, ..] => first.clone(),
        [] => "unknown".to_string(),
    }
}
