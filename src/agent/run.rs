//! One run of the agent loop: ask the model, run the tools it calls, feed results back, until it
//! answers or a budget ends the run. Failed tool calls go back to the model with the error so it can
//! repair its call, up to the repair budget; then the agent says plainly what it could not do.

use super::{Agent, Event, Request};
use crate::llm::{ChatEvent, ChatRequest, LlmError, Message, Role, ToolCall, Usage};
use futures_util::StreamExt;
use std::time::Instant;
use tokio::sync::mpsc::Sender;
use tracing::Instrument;

/// Why a run ended before the model answered.
pub(super) struct Stop {
    pub code: &'static str,
    pub message: String,
}

/// What to do with reply text as it streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextMode {
    /// It is the answer: stream it out.
    Answer,
    /// It is an intermediate product (SQL to check): collect it only.
    Quiet,
}

/// Sends an event; `false` means the receiver is gone and the run should stop.
pub(super) async fn emit(sender: &Sender<Event>, event: Event) -> bool {
    sender.send(event).await.is_ok()
}

pub(super) async fn run(agent: &Agent, request: Request, sender: Sender<Event>) {
    let mut usage = Usage::default();
    let mut steps = 0;
    let mut messages = vec![Message::text(Role::System, agent.system.clone())];
    if let Some(session) = &request.session {
        messages.extend(session.messages().await);
    }
    let first_new = messages.len();
    messages.push(Message::text(Role::User, request.question.clone()));
    let work = async {
        match agent.strategy {
            super::Strategy::Tools => turns(agent, &mut messages, &sender, &mut usage, &mut steps).await,
            super::Strategy::Pipeline => {
                let history = messages[1..first_new].to_vec();
                let answer = super::pipeline::answer(
                    agent,
                    &history,
                    &request.question,
                    &sender,
                    &mut usage,
                    &mut steps,
                )
                .await?;
                messages.push(Message::text(Role::Assistant, answer));
                Ok(())
            }
        }
    };
    let outcome = tokio::time::timeout(agent.budget.wall_time, work).await;
    let stop = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(stop)) => Some(stop),
        Err(_) => Some(Stop {
            code: "time_budget",
            message: format!("the answer took longer than {:?}", agent.budget.wall_time),
        }),
    };
    if let Some(stop) = &stop {
        if stop.code == "cancelled" {
            return;
        }
        let _ =
            emit(&sender, Event::Error { code: stop.code.to_string(), message: stop.message.clone() }).await;
        // The next turn should know this one failed, rather than see a question with no answer.
        messages.push(Message::text(Role::Assistant, format!("(I could not answer: {})", stop.message)));
    }
    if let Some(session) = &request.session {
        session.record(&messages[first_new..]).await;
    }
    let _ = emit(
        &sender,
        Event::Done { steps, prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens },
    )
    .await;
}

/// Stops the run once the tokens used pass the budget.
pub(super) fn check_tokens(agent: &Agent, usage: &Usage) -> Result<(), Stop> {
    if usage.prompt_tokens + usage.completion_tokens > agent.budget.max_tokens {
        return Err(Stop {
            code: "token_budget",
            message: format!("the run used more than {} tokens", agent.budget.max_tokens),
        });
    }
    Ok(())
}

pub(super) fn cancelled() -> Stop {
    Stop { code: "cancelled", message: String::new() }
}

async fn turns(
    agent: &Agent,
    messages: &mut Vec<Message>,
    sender: &Sender<Event>,
    usage: &mut Usage,
    steps: &mut u32,
) -> Result<(), Stop> {
    let tools = agent.tools.specs();
    let mut failures = 0;
    let started = Instant::now();
    loop {
        if *steps >= agent.budget.max_steps {
            return Err(Stop {
                code: "step_budget",
                message: format!("no answer within {} model calls", agent.budget.max_steps),
            });
        }
        *steps += 1;
        let chat = ChatRequest {
            messages: messages.clone(),
            tools: tools.clone(),
            max_tokens: Some(1024),
            response_schema: None,
        };
        let (text, calls) = complete(agent, &chat, sender, usage, TextMode::Answer).await?;
        check_tokens(agent, usage)?;
        messages.push(Message {
            role: Role::Assistant,
            content: text,
            tool_calls: calls.clone(),
            tool_call_id: None,
        });
        if calls.is_empty() {
            tracing::info!(
                steps = *steps,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "agent answered"
            );
            return Ok(());
        }
        for call in calls {
            let ok = call_tool(agent, &call, sender, messages).await? != Called::Failed;
            if !ok {
                failures += 1;
                if failures > agent.budget.max_repairs {
                    return Err(Stop {
                        code: "repair_budget",
                        message: format!(
                            "I could not get a working query after {} attempts; the last error is above",
                            agent.budget.max_repairs + 1
                        ),
                    });
                }
            }
        }
    }
}

/// One model call: streams answer text out as it arrives and collects tool calls.
pub(super) async fn complete(
    agent: &Agent,
    chat: &ChatRequest,
    sender: &Sender<Event>,
    usage: &mut Usage,
    mode: TextMode,
) -> Result<(String, Vec<ToolCall>), Stop> {
    let model_error = |error: LlmError| Stop { code: "model_error", message: error.to_string() };
    let span = tracing::info_span!("model_call", messages = chat.messages.len(), tools = chat.tools.len());
    let mut stream = agent.model.chat(chat).instrument(span).await.map_err(model_error)?;
    let mut text = String::new();
    let mut calls = Vec::new();
    while let Some(event) = stream.next().await {
        match event.map_err(model_error)? {
            ChatEvent::TextDelta { text: delta } if mode == TextMode::Quiet => text.push_str(&delta),
            ChatEvent::TextDelta { text: delta } => {
                // Text after a tool call is reasoning, not answer; before any, it streams as the answer.
                let event = if calls.is_empty() {
                    Event::AnswerDelta { text: delta.clone() }
                } else {
                    Event::Thinking { text: delta.clone() }
                };
                text.push_str(&delta);
                if !emit(sender, event).await {
                    return Err(cancelled());
                }
            }
            ChatEvent::ToolCall { call } => calls.push(call),
            ChatEvent::Done { usage: used } => {
                usage.prompt_tokens += used.prompt_tokens;
                usage.completion_tokens += used.completion_tokens;
            }
        }
    }
    Ok((text, calls))
}

/// Runs one tool call and appends its result (or error) for the model. Returns whether it succeeded.
/// Appended to a failed tool call's result for the model (the pipeline, which writes its own retry
/// notes, strips it).
pub(super) const FIX_NUDGE: &str = "\nFix the call and try again.";

/// What a tool call came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Called {
    /// It failed; the error went back to the model.
    Failed,
    /// It worked, returning this many rows (`None` for tools that return no result set).
    Done(Option<usize>),
}

pub(super) async fn call_tool(
    agent: &Agent,
    call: &ToolCall,
    sender: &Sender<Event>,
    messages: &mut Vec<Message>,
) -> Result<Called, Stop> {
    let announce =
        Event::ToolCall { id: call.id.clone(), name: call.name.clone(), arguments: call.arguments.clone() };
    if !emit(sender, announce).await {
        return Err(cancelled());
    }
    let span = tracing::info_span!("tool", name = %call.name, id = %call.id);
    let result = agent.tools.call(&agent.context, &call.name, call.arguments.clone()).instrument(span).await;
    let mut events = Vec::new();
    let called = match result {
        Ok(output) => {
            events.push(Event::ToolResult {
                id: call.id.clone(),
                name: call.name.clone(),
                ok: true,
                error: None,
            });
            if let Some((source, sql)) = output.sql {
                events.push(Event::Sql { source, sql });
            }
            let rows = output.result.as_ref().map(|r| r.rows.len());
            if let Some(result) = output.result {
                let chart = super::chart::suggest(&result.columns, &result.rows);
                events.push(Event::Rows {
                    columns: result.columns,
                    rows: result.rows,
                    truncated: result.summary.truncated,
                });
                if let Some(spec) = chart {
                    events.push(Event::Chart { spec });
                }
            }
            messages.push(Message::tool_result(&call.id, output.for_model));
            Called::Done(rows)
        }
        Err(error) => {
            tracing::warn!(tool = %call.name, code = error.code, detail = %error.detail, "tool call failed");
            let text = format!("error ({}): {}", error.code, error.message);
            events.push(Event::ToolResult {
                id: call.id.clone(),
                name: call.name.clone(),
                ok: false,
                error: Some(text.clone()),
            });
            messages.push(Message::tool_result(&call.id, format!("{text}{FIX_NUDGE}")));
            Called::Failed
        }
    };
    for event in events {
        if !emit(sender, event).await {
            return Err(cancelled());
        }
    }
    Ok(called)
}
