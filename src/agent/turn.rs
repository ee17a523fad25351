//! The steps both strategies are made of: send an event, make one model call, run one tool call. A
//! [`Turn`] carries what every step touches (the agent, the event channel, the token and step counts), so
//! the strategies read as sequences of steps rather than as lists of arguments.

use super::{Agent, Event, StopReason};
use crate::llm::{ChatEvent, ChatRequest, Message, ToolCall, Usage};
use crate::sources::ResultSet;
use futures_util::StreamExt;
use tokio::sync::mpsc::Sender;
use tracing::Instrument;

/// Appended to a failed tool call's result for the model (the pipeline, which writes its own retry
/// notes, strips it).
pub(super) const FIX_NUDGE: &str = "\nFix the call and try again.";

/// What to do with reply text as it streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextMode {
    /// It is the answer: stream it out.
    Answer,
    /// It is an intermediate product (SQL to check): collect it only.
    Quiet,
}

/// What a tool call came to.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Called {
    /// It failed; the error went back to the model.
    Failed,
    /// It worked, returning this result (`None` for tools that return no result set).
    Done(Option<ResultSet>),
}

/// One run in progress.
pub(super) struct Turn<'a> {
    pub agent: &'a Agent,
    sender: Sender<Event>,
    /// Tokens used so far, as the provider counted them.
    pub usage: Usage,
    /// Model calls made so far.
    pub steps: u32,
    /// Every event sent, when the run's answer may be cached.
    recorded: Option<Vec<Event>>,
}

impl<'a> Turn<'a> {
    pub fn new(agent: &'a Agent, sender: Sender<Event>) -> Self {
        Turn { agent, sender, usage: Usage::default(), steps: 0, recorded: None }
    }

    /// Keeps a copy of every event sent from now on, for the answer cache.
    pub fn record(&mut self) {
        self.recorded = Some(Vec::new());
    }

    /// The events kept since [`Turn::record`].
    pub fn take_recorded(&mut self) -> Option<Vec<Event>> {
        self.recorded.take()
    }

    /// Sends an event; the receiver being gone means nobody is listening, and the run stops.
    pub async fn emit(&mut self, event: Event) -> Result<(), StopReason> {
        if let Some(recorded) = &mut self.recorded {
            recorded.push(event.clone());
        }
        self.sender.send(event).await.map_err(|_| StopReason::Cancelled)
    }

    /// One model call: streams answer text out as it arrives (in [`TextMode::Answer`]) and collects tool
    /// calls. Counts the step and stops the run once the tokens used pass the budget.
    pub async fn complete(
        &mut self,
        chat: &ChatRequest,
        mode: TextMode,
    ) -> Result<(String, Vec<ToolCall>), StopReason> {
        self.steps += 1;
        let span =
            tracing::info_span!("model_call", messages = chat.messages.len(), tools = chat.tools.len());
        let mut stream = self.agent.model.chat(chat).instrument(span).await?;
        let mut text = String::new();
        let mut calls = Vec::new();
        while let Some(event) = stream.next().await {
            match event? {
                ChatEvent::TextDelta { text: delta } if mode == TextMode::Quiet => text.push_str(&delta),
                ChatEvent::TextDelta { text: delta } => {
                    // Text after a tool call is reasoning, not answer; before any, it streams as the answer.
                    let event = if calls.is_empty() {
                        Event::AnswerDelta { text: delta.clone() }
                    } else {
                        Event::Thinking { text: delta.clone() }
                    };
                    text.push_str(&delta);
                    self.emit(event).await?;
                }
                ChatEvent::ToolCall { call } => calls.push(call),
                ChatEvent::Done { usage } => {
                    self.usage.prompt_tokens += usage.prompt_tokens;
                    self.usage.completion_tokens += usage.completion_tokens;
                }
            }
        }
        let tokens = self.agent.budget.max_tokens;
        if self.usage.prompt_tokens + self.usage.completion_tokens > tokens {
            return Err(StopReason::TokenBudget { tokens });
        }
        Ok((text, calls))
    }

    /// Runs one tool call, streams what it did, and appends its result (or error) to `messages` for the
    /// model.
    pub async fn call_tool(
        &mut self,
        call: &ToolCall,
        messages: &mut Vec<Message>,
    ) -> Result<Called, StopReason> {
        let agent = self.agent;
        let span = tracing::info_span!("tool", name = %call.name, id = %call.id);
        let tool = agent.tools.call(&agent.context, &call.name, call.arguments.clone()).instrument(span);
        self.report(call, tool, messages).await
    }

    /// Announces `call`, awaits its `result` (a tool's, or a query the agent ran itself, such as a
    /// compiled plan) and streams what it did, as [`Turn::call_tool`] does.
    pub async fn report(
        &mut self,
        call: &ToolCall,
        result: impl std::future::Future<Output = Result<crate::tools::ToolOutput, crate::tools::ToolError>>,
        messages: &mut Vec<Message>,
    ) -> Result<Called, StopReason> {
        let announce = Event::ToolCall {
            id: call.id.clone(),
            name: call.name.clone(),
            arguments: call.arguments.clone(),
        };
        self.emit(announce).await?;
        let result = result.await;
        let (id, name) = (call.id.clone(), call.name.clone());
        let mut events = Vec::new();
        let called = match result {
            Ok(output) => {
                events.push(Event::ToolResult { id, name, ok: true, error: None });
                if let Some((source, sql)) = output.sql {
                    events.push(Event::Sql { source, sql });
                }
                if let Some(result) = &output.result {
                    let chart = super::chart::suggest(&result.columns, &result.rows);
                    events.push(Event::Rows {
                        columns: result.columns.clone(),
                        rows: result.rows.clone(),
                        truncated: result.summary.truncated,
                    });
                    if let Some(spec) = chart {
                        events.push(Event::Chart { spec });
                    }
                }
                messages.push(Message::tool_result(&call.id, output.for_model));
                Called::Done(output.result)
            }
            Err(error) => {
                tracing::warn!(tool = %call.name, code = %error.code, detail = %error.detail, "tool call failed");
                let text = format!("error ({}): {}", error.code, error.message);
                events.push(Event::ToolResult { id, name, ok: false, error: Some(text.clone()) });
                messages.push(Message::tool_result(&call.id, format!("{text}{FIX_NUDGE}")));
                Called::Failed
            }
        };
        for event in events {
            self.emit(event).await?;
        }
        Ok(called)
    }
}
