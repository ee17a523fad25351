//! The plan path of the pipeline: the model fills a query plan under a grammar made from the source's
//! catalog, code compiles it to SQL (`semantic::compile`), and the guard and the source run it like any
//! other query. A question the plan cannot say, a plan that does not compile or a run that fails goes
//! to the SQL writer (`pipeline.rs`) with a note of why.

use super::StopReason;
use super::turn::{Called, TextMode, Turn};
use crate::guard::Guard;
use crate::llm::{ChatRequest, Message, Role, ToolCall};
use crate::semantic::{Catalog, Plan, describe, plan::Kind};
use crate::sources::{ResultSet, Source};
use crate::tools::fence;
use std::sync::Arc;

const PLAN_TEMPLATE: &str = include_str!("../../prompts/plan.md.j2");

/// Tokens a plan may take: the longest plans (three filters and a share) stay well under it.
const PLAN_TOKENS: u32 = 300;

/// What the plan path came to.
#[derive(Debug)]
pub(super) enum Planned {
    /// The plan ran and returned rows; with what the answer covers, in words.
    Answered(Option<ResultSet>, Option<String>),
    /// It ran and returned nothing: kept as the answer if the SQL writer does no better.
    Empty(Option<ResultSet>),
    /// It did not answer; the note (if any) tells the SQL writer why, and whether the model was asked
    /// for a plan at all.
    Declined(Option<String>, bool),
}

/// Phrases that mean more than a plan can say (medians, moving windows, cohorts), sent straight to the
/// SQL writer without asking for a plan.
const NEEDS_SQL: [&str; 4] = ["moving average", "median", "cohort", "retention"];

/// Whether a question is for the SQL writer rather than a plan.
pub(super) fn needs_sql(question: &str) -> bool {
    let lower = question.to_lowercase();
    NEEDS_SQL.iter().any(|phrase| lower.contains(phrase))
}

/// The plan prompt's system message for a catalog: instructions, the catalog (fenced: its values come
/// from the database) and worked examples. The same for every question on the source.
pub fn system_message(catalog: &Catalog, source: &str, today: chrono::NaiveDate) -> String {
    let instructions = minijinja::Environment::new()
        .render_str(PLAN_TEMPLATE, minijinja::context! { today => today.to_string() })
        .unwrap_or_else(|_| PLAN_TEMPLATE.to_string());
    let examples = describe::examples(catalog);
    format!(
        "{instructions}\n{}\nExamples:\n{}",
        fence(source, "catalog", &describe::catalog_text(catalog)),
        describe::examples_text(&examples)
    )
}

/// Asks for a plan for `question` over `source`'s catalog, compiles it and runs it.
pub(super) async fn answer(
    turn: &mut Turn<'_>,
    source: &Arc<dyn Source>,
    history: &[Message],
    question: &str,
) -> Result<Planned, StopReason> {
    let agent = turn.agent;
    if !agent.plans || !source.dialect().is_sql() || needs_sql(question) {
        return Ok(Planned::Declined(None, false));
    }
    let Some(catalog) = agent.context.catalog(source).await else {
        return Ok(Planned::Declined(None, false));
    };
    let mut messages =
        vec![Message::text(Role::System, system_message(&catalog, source.name(), agent.today))];
    messages.extend(history.iter().cloned());
    messages.push(Message::text(Role::User, format!("Q: {question}")));
    let chat = ChatRequest {
        messages,
        tools: Vec::new(),
        max_tokens: Some(PLAN_TOKENS),
        response_schema: Some(crate::semantic::schema::schema(&catalog)),
        temperature: None,
    };
    let (reply, _) = turn.complete(&chat, TextMode::Quiet).await?;
    tracing::debug!(%reply, "query plan");
    let plan = match Plan::from_reply(&reply) {
        // What the question's own words settle (a grain, an exact year, two periods compared) is
        // applied by code.
        Ok(plan) => crate::semantic::question::amend(&catalog, &plan, question, agent.today),
        Err(problem) => return Ok(Planned::Declined(Some(problem), true)),
    };
    if plan.kind == Kind::Other {
        return Ok(Planned::Declined(None, true));
    }
    let compiled = match crate::semantic::compile(&catalog, &plan, source.dialect(), agent.today) {
        Ok(compiled) => compiled,
        Err(error) => {
            return Ok(Planned::Declined(Some(format!("a query plan did not compile: {error}")), true));
        }
    };
    // What is run, shown and described is the plan as compiled.
    let plan = &compiled.plan;
    let call = ToolCall {
        id: "plan_1".into(),
        name: "run_query".into(),
        arguments: serde_json::json!({
            "source": source.name(),
            "sql": compiled.sql,
            "params": compiled.params,
            "plan": plan,
        }),
    };
    let run = async {
        let query = Guard::check_with_params(source.dialect(), &compiled.sql, &compiled.params)?;
        crate::tools::run_checked(source, &query).await
    };
    let mut results = Vec::new();
    Ok(match turn.report(&call, run, &mut results).await? {
        // No rows, or the one row of a value that is all NULL (a SUM over nothing): the SQL writer may
        // still do better, and this stays the answer if it does not.
        Called::Done(Some(result)) if found_nothing(plan, &result) => Planned::Empty(Some(result)),
        Called::Done(result) => Planned::Answered(result, describe::scope(plan, &catalog, agent.today)),
        Called::Failed => {
            let error = results.pop().map(|m| m.content).unwrap_or_default();
            Planned::Declined(Some(format!("a compiled query failed: {}", error.replace('\n', " "))), true)
        }
    })
}

/// Whether a plan's complete result says nothing: no rows (a list may rightly have none), or the one row
/// of a value that is all NULL (a SUM over nothing). The SQL writer may then do better; a result cut
/// short by a cap is not "nothing".
fn found_nothing(plan: &Plan, result: &ResultSet) -> bool {
    let all_null = || result.rows.iter().flatten().all(|v| matches!(v, crate::sources::Value::Null));
    plan.kind != Kind::List
        && result.summary.truncated.is_none()
        && (result.rows.is_empty() || (plan.kind == Kind::Value && all_null()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_questions_beyond_every_plan_kind_go_straight_to_sql() {
        assert!(needs_sql("What is the median order value?"));
        assert!(needs_sql("Monthly retention of the 2025 sign-up cohort"));
        // Periods compared, growth and running totals are plan kinds now.
        assert!(!needs_sql("Month-over-month revenue growth in percent"));
        assert!(!needs_sql("How did revenue last month compare with the month before?"));
        assert!(!needs_sql("Cumulative number of orders per day"));
        assert!(!needs_sql("Which 5 products made the most revenue last quarter?"));
        assert!(!needs_sql("How many customers are there?"));
    }

    /// The demo's plan prompt as the model reads it: instructions, the fenced catalog and the worked
    /// examples (every one of which compiles).
    #[test]
    fn the_demo_plan_prompt() {
        let catalog = crate::demo::catalog().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        insta::assert_snapshot!(system_message(&catalog, "demo", today));
    }
}
