//! One question from Slack, from the event or command that carried it to the answer posted back.

use super::{SlackBot, blocks};
use crate::agent::{Answer, Event, Request, step_label};

/// What someone without access is told.
pub const REFUSAL: &str = "Sorry, you don't have access to any data through Picovis here. An admin can \
grant it in the `[[slack.access]]` section of the Picovis config.";

/// Where the answer goes.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Into a thread (a mention or a direct message): progress updates one message, then the answer
    /// replaces it.
    Thread {
        /// The thread's root message.
        thread_ts: String,
    },
    /// To a slash command's response URL.
    ResponseUrl(String),
}

/// A question and who asked it where.
#[derive(Debug, Clone)]
pub struct Question {
    /// Slack member ID.
    pub user: String,
    /// Channel (or DM) ID.
    pub channel: String,
    /// The question, mentions removed.
    pub text: String,
    /// Where to answer.
    pub reply: Reply,
}

impl Question {
    /// The question in an `app_mention`, or in a direct message; `None` for anything else (the bot's
    /// own messages included, so it never answers itself).
    pub fn from_event(event: &serde_json::Value) -> Option<Question> {
        let kind = event["type"].as_str()?;
        let direct = kind == "message"
            && event["channel_type"].as_str() == Some("im")
            && event["subtype"].is_null()
            && event["bot_id"].is_null();
        if kind != "app_mention" && !direct {
            return None;
        }
        let text = strip_mentions(event["text"].as_str()?);
        let thread_ts = event["thread_ts"].as_str().or(event["ts"].as_str())?.to_string();
        Some(Question {
            user: event["user"].as_str()?.to_string(),
            channel: event["channel"].as_str()?.to_string(),
            text,
            reply: Reply::Thread { thread_ts },
        })
    }
}

/// `<@U123>` mentions out, whitespace trimmed.
fn strip_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        match rest[start..].find('>') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Answers `question`, posting progress and the result where it came from. Failures are told to the
/// asker and logged; nothing here panics or retries on its own.
pub async fn answer(bot: &SlackBot, question: Question) {
    let channel = question.channel.clone();
    let thread = match &question.reply {
        Reply::Thread { thread_ts } => Some(thread_ts.clone()),
        Reply::ResponseUrl(_) => None,
    };
    let allowed = bot.access.sources_for(&question.user, &question.channel, &bot.sources);
    if allowed.is_empty() {
        if let Some(thread_ts) = &thread {
            log(bot.api.post_message(&channel, Some(thread_ts), REFUSAL, None).await.map(drop));
        }
        tracing::info!(user = %question.user, channel = %channel, "refused a Slack user without access");
        return;
    }
    // One message in the thread that progress updates and the answer finally replaces.
    let status = match &thread {
        Some(thread_ts) => {
            let text = "Looking into it…";
            match bot.api.post_message(&channel, Some(thread_ts), text, Some(&blocks::status(text))).await {
                Ok(ts) => Some(ts),
                Err(error) => return log(Err(error)),
            }
        }
        None => None,
    };
    let outcome = run(bot, &question, &allowed, thread.as_deref(), status.as_deref()).await;
    let rendered = match outcome {
        Ok(rendered) => rendered,
        Err(message) => {
            let text = format!("Sorry, I could not answer that: {}", blocks::mrkdwn_escape(&message));
            blocks::Rendered { blocks: blocks::status(&text), text, csv: None, chart: None }
        }
    };
    match (&question.reply, &status) {
        (Reply::Thread { .. }, Some(ts)) => {
            log(bot.api.update(&channel, ts, &rendered.text, Some(&rendered.blocks)).await);
        }
        (Reply::ResponseUrl(url), _) => {
            let body = serde_json::json!({ "response_type": "in_channel", "replace_original": false,
                "text": rendered.text, "blocks": rendered.blocks });
            log(bot.api.respond(url, &body).await);
        }
        _ => {}
    }
    if let Some(png) = rendered.chart {
        log(bot.api.upload(&channel, thread.as_deref(), "chart.png", "Chart", png).await);
    }
    if let Some(csv) = rendered.csv {
        log(bot.api.upload(&channel, thread.as_deref(), "result.csv", "Full result", csv).await);
    }
}

/// Runs the agent over the sources the asker may query; updates the status message on each step.
async fn run(
    bot: &SlackBot,
    question: &Question,
    allowed: &[String],
    thread: Option<&str>,
    status: Option<&str>,
) -> Result<blocks::Rendered, String> {
    let agent = bot.agents.agent(Some(allowed)).await.map_err(|error| error.message)?;
    let session =
        thread.map(|thread_ts| bot.memory.conversation(&question.channel, thread_ts, &question.user));
    let mut events = agent.ask(Request { question: question.text.clone(), session });
    let (mut answer, mut last_label) = (Answer::default(), "");
    while let Some(event) = events.recv().await {
        if let (Event::ToolCall { name, .. }, Some(ts)) = (&event, status) {
            let label = step_label(name);
            if label != last_label {
                let text = format!("{}{}…", label[..1].to_uppercase(), &label[1..]);
                log(bot.api.update(&question.channel, ts, &text, Some(&blocks::status(&text))).await);
                last_label = label;
            }
        }
        answer.absorb(&event);
    }
    if let Some(stop) = &answer.stop {
        return Err(format!("{} ({})", stop.message, stop.code));
    }
    Ok(blocks::answer(&answer.text, &answer.queries, answer.rows.as_ref(), answer.chart.as_ref()))
}

fn log(result: Result<(), super::SlackError>) {
    if let Err(error) = result {
        tracing::warn!(%error, "a Slack call failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mentions_and_direct_messages_are_questions_and_bot_messages_are_not() {
        let mention = json!({ "type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.1",
            "text": "<@UBOT> how many   orders?" });
        let q = Question::from_event(&mention).unwrap_or_else(|| unreachable!());
        assert_eq!((q.text.as_str(), q.user.as_str()), ("how many orders?", "U1"));
        assert!(matches!(q.reply, Reply::Thread { ref thread_ts } if thread_ts == "1.1"));
        let follow_up = json!({ "type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.5",
            "thread_ts": "1.1", "text": "<@UBOT> and per country?" });
        let q = Question::from_event(&follow_up).unwrap_or_else(|| unreachable!());
        assert!(matches!(q.reply, Reply::Thread { ref thread_ts } if thread_ts == "1.1"));
        let dm = json!({ "type": "message", "channel_type": "im", "user": "U1", "channel": "D1", "ts": "2.1", "text": "hi" });
        assert!(Question::from_event(&dm).is_some());
        let own = json!({ "type": "message", "channel_type": "im", "bot_id": "B1", "user": "UBOT", "channel": "D1", "ts": "2.2", "text": "answer" });
        assert!(Question::from_event(&own).is_none());
        let edit = json!({ "type": "message", "channel_type": "im", "subtype": "message_changed", "channel": "D1", "ts": "2.3" });
        assert!(Question::from_event(&edit).is_none());
        let channel_message = json!({ "type": "message", "channel_type": "channel", "user": "U1", "channel": "C1", "ts": "3.1", "text": "x" });
        assert!(Question::from_event(&channel_message).is_none());
    }
}
