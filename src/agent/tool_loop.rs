//! The tools strategy: the model chooses tools until it answers. Failed tool calls go back to the model
//! with the error so it can repair its call, up to the repair budget; then the run stops with a reason.

use super::StopReason;
use super::turn::{Called, TextMode, Turn};
use crate::llm::{ChatRequest, LlmError, Message, Role};
use std::time::Instant;

/// What an earlier tool result is replaced with when the prompt must shrink to fit the context.
const ELIDED: &str = "(result left out to fit the model's context; call the tool again if it is needed)";

/// Runs model calls and tool calls until the model answers without calling a tool.
pub(super) async fn answer(turn: &mut Turn<'_>, messages: &mut Vec<Message>) -> Result<(), StopReason> {
    let budget = turn.agent.budget;
    let tools = turn.agent.tools.specs();
    let mut failures = 0;
    let mut shrunk = false;
    let started = Instant::now();
    loop {
        if turn.steps >= budget.max_steps {
            return Err(StopReason::StepBudget { steps: budget.max_steps });
        }
        let chat = ChatRequest {
            messages: messages.clone(),
            tools: tools.clone(),
            max_tokens: Some(1024),
            response_schema: None,
            temperature: None,
        };
        let (text, calls) = match turn.complete(&chat, TextMode::Answer).await {
            // Once per run: earlier tool results go, the conversation and the latest result stay.
            Err(StopReason::Model(LlmError::ContextTooLong(_)))
                if !shrunk && elide_tool_results(messages) =>
            {
                shrunk = true;
                continue;
            }
            other => other?,
        };
        messages.push(Message {
            role: Role::Assistant,
            content: text,
            tool_calls: calls.clone(),
            tool_call_id: None,
        });
        if calls.is_empty() {
            let elapsed_ms = started.elapsed().as_millis() as u64;
            tracing::info!(steps = turn.steps, elapsed_ms, "agent answered");
            return Ok(());
        }
        for call in calls {
            if matches!(turn.call_tool(&call, messages).await?, Called::Failed) {
                failures += 1;
                if failures > budget.max_repairs {
                    return Err(StopReason::NoWorkingQuery { attempts: budget.max_repairs + 1 });
                }
            }
        }
    }
}

/// Replaces the content of every tool result but the last with a short note. Returns whether anything
/// got shorter (if not, retrying cannot help).
fn elide_tool_results(messages: &mut [Message]) -> bool {
    let results: Vec<usize> =
        messages.iter().enumerate().filter(|(_, m)| m.role == Role::Tool).map(|(i, _)| i).collect();
    let mut changed = false;
    for &index in results.iter().rev().skip(1) {
        if messages[index].content.len() > ELIDED.len() {
            messages[index].content = ELIDED.to_string();
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_but_the_last_tool_result_are_elided() {
        let long = "x".repeat(500);
        let mut messages = vec![
            Message::text(Role::User, "q"),
            Message::tool_result("a", long.clone()),
            Message::tool_result("b", long.clone()),
        ];
        assert!(elide_tool_results(&mut messages));
        assert_eq!(messages[1].content, ELIDED);
        assert_eq!(messages[2].content, long);
        assert!(!elide_tool_results(&mut messages), "nothing left to shrink");
    }
}
