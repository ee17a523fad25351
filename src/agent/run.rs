//! One run: the conversation so far plus the question, handed to the strategy the agent is set up with,
//! under the run's wall-clock budget; then the stop (if any), the turn recorded in the session, and
//! `Done`. Every run ends with exactly one `Done`, after at most one `Error`.

use super::turn::Turn;
use super::{Agent, Event, Request, StopReason, Strategy};
use crate::llm::{Message, Role};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

impl Agent {
    /// Starts a run; events arrive on the returned channel, ending with `Done`. Dropping the receiver
    /// cancels the run at its next step.
    pub fn ask(self: &Arc<Self>, request: Request) -> mpsc::Receiver<Event> {
        let (sender, receiver) = mpsc::channel(64);
        let agent = Arc::clone(self);
        let span = tracing::info_span!("agent_run", model = agent.model.name());
        tokio::spawn(tracing::Instrument::instrument(
            async move { run(&agent, request, sender).await },
            span,
        ));
        receiver
    }
}

async fn run(agent: &Agent, request: Request, sender: mpsc::Sender<Event>) {
    let started = Instant::now();
    let mut turn = Turn::new(agent, sender);
    let mut messages = vec![Message::text(Role::System, agent.system.clone())];
    if let Some(session) = &request.session {
        messages.extend(session.messages().await);
    }
    let first_new = messages.len();
    messages.push(Message::text(Role::User, request.question.clone()));
    // A follow-up depends on the conversation before it, so only a first question is cached.
    let cache = match &agent.cache {
        Some(cache) if first_new == 1 => {
            super::cache::key(agent, &request.question).await.map(|k| (cache, k))
        }
        _ => None,
    };
    if let Some((cache, key)) = &cache
        && let Some(events) = cache.get(key)
    {
        let mut answer = String::new();
        for event in events.iter() {
            if let Event::AnswerDelta { text } = event {
                answer.push_str(text);
            }
            if turn.emit(event.clone()).await.is_err() {
                return;
            }
        }
        messages.push(Message::text(Role::Assistant, answer));
        if let Some(session) = &request.session {
            session.record(&messages[first_new..]).await;
        }
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let _ = turn
            .emit(Event::Done { steps: 0, prompt_tokens: 0, completion_tokens: 0, elapsed_ms, cached: true })
            .await;
        return;
    }
    if cache.is_some() {
        turn.record();
    }
    let work = async {
        match agent.strategy {
            Strategy::Tools => super::tool_loop::answer(&mut turn, &mut messages).await,
            Strategy::Pipeline => {
                let history = messages[1..first_new].to_vec();
                let answer = super::pipeline::answer(&mut turn, &history, &request.question).await?;
                messages.push(Message::text(Role::Assistant, answer));
                Ok(())
            }
        }
    };
    let stop = match tokio::time::timeout(agent.budget.wall_time, work).await {
        Ok(Ok(())) => None,
        Ok(Err(stop)) => Some(stop),
        Err(_) => Some(StopReason::TimeBudget { limit: agent.budget.wall_time }),
    };
    if let Some(stop) = &stop {
        if *stop == StopReason::Cancelled {
            return;
        }
        let message = stop.message();
        // The receiver may be gone by now; `Done` below is then not delivered either, which is fine.
        let _ = turn.emit(Event::Error { code: stop.code(), message: message.clone() }).await;
        // The next turn should know this one failed, rather than see a question with no answer.
        messages.push(Message::text(Role::Assistant, format!("(I could not answer: {message})")));
    }
    if let Some(session) = &request.session {
        session.record(&messages[first_new..]).await;
    }
    if let (Some((cache, key)), None, Some(events)) = (cache, &stop, turn.take_recorded()) {
        cache.put(key, events);
    }
    let done = Event::Done {
        steps: turn.steps,
        prompt_tokens: turn.usage.prompt_tokens,
        completion_tokens: turn.usage.completion_tokens,
        elapsed_ms: started.elapsed().as_millis() as u64,
        cached: false,
    };
    let _ = turn.emit(done).await;
}
