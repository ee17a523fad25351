//! Tool calls written as text. Small local models often answer a tool-calling request with the call in
//! their content (a fenced JSON block, or Qwen's `<tool_call>` tags) instead of the structured field, and
//! the server then sees no call. A reply that starts like that is held back and read as tool calls when
//! it parses as calls to tools that were offered; otherwise it is passed on as text.

use super::{ChatEvent, ToolCall};

/// Holds back a streamed reply that begins like a written tool call, and decides at the end whether it
/// was one. Replies that begin like prose stream through untouched.
#[derive(Debug, Default)]
pub struct TextCalls {
    tools: Vec<String>,
    started: bool,
    held: Option<String>,
}

impl TextCalls {
    /// For a request that offered `tools` (with none offered, nothing is ever held).
    pub fn new(tools: Vec<String>) -> Self {
        TextCalls { tools, started: false, held: None }
    }

    /// Takes a piece of reply text; returns it when it should stream now, `None` while holding.
    pub fn push(&mut self, text: String) -> Option<String> {
        if !self.started && !text.trim().is_empty() {
            self.started = true;
            if !self.tools.is_empty() && looks_like_call(&text) {
                self.held = Some(String::new());
            }
        }
        match self.held.as_mut() {
            Some(held) => {
                held.push_str(&text);
                None
            }
            None => Some(text),
        }
    }

    /// At the end of the reply: held text as tool calls (unless the model also made structured ones),
    /// or as text.
    pub fn finish(&mut self, structured_calls: bool) -> Vec<ChatEvent> {
        let Some(held) = self.held.take() else { return Vec::new() };
        match parse_calls(&held, &self.tools).filter(|_| !structured_calls) {
            Some(calls) => calls.into_iter().map(|call| ChatEvent::ToolCall { call }).collect(),
            None => vec![ChatEvent::TextDelta { text: held }],
        }
    }
}

/// Whether text that begins like this may be a written tool call (and so should be held back).
pub fn looks_like_call(start: &str) -> bool {
    let start = start.trim_start();
    start.starts_with('{') || start.starts_with("```") || start.starts_with("<tool_call>")
}

/// Reads written tool calls out of `text`, accepting only the `tools` offered. `None` when the text is
/// anything else, so it can be shown as an answer instead.
pub fn parse_calls(text: &str, tools: &[String]) -> Option<Vec<ToolCall>> {
    let mut blocks = Vec::new();
    let mut rest = text.trim();
    if rest.contains("<tool_call>") {
        while let Some(start) = rest.find("<tool_call>") {
            let after = &rest[start + "<tool_call>".len()..];
            let end = after.find("</tool_call>").unwrap_or(after.len());
            blocks.push(after[..end].trim());
            rest = after.get(end + "</tool_call>".len()..).unwrap_or("");
        }
    } else {
        let unfenced = rest.strip_prefix("```json").or_else(|| rest.strip_prefix("```")).unwrap_or(rest);
        blocks.push(unfenced.strip_suffix("```").unwrap_or(unfenced).trim());
    }
    let mut calls = Vec::new();
    for (index, block) in blocks.into_iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(block).ok()?;
        let name = value.get("name")?.as_str()?.to_string();
        if !tools.contains(&name) {
            return None;
        }
        let arguments = match value.get("arguments").or_else(|| value.get("parameters")) {
            None => serde_json::json!({}),
            Some(serde_json::Value::String(text)) => serde_json::from_str(text).ok()?,
            Some(object @ serde_json::Value::Object(_)) => object.clone(),
            Some(_) => return None,
        };
        calls.push(ToolCall { id: format!("text_call_{index}"), name, arguments });
    }
    (!calls.is_empty()).then_some(calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools() -> Vec<String> {
        vec!["run_query".into(), "search_schema".into()]
    }

    #[test]
    fn fenced_json_and_qwen_tags_become_calls() {
        let fenced = "```json\n{\"name\": \"run_query\", \"arguments\": {\"sql\": \"SELECT 1\"}}\n```";
        let calls = parse_calls(fenced, &tools()).unwrap();
        assert_eq!(calls[0].name, "run_query");
        assert_eq!(calls[0].arguments, serde_json::json!({"sql": "SELECT 1"}));
        let tagged = "<tool_call>\n{\"name\": \"search_schema\", \"arguments\": \"{\\\"query\\\": \\\"revenue\\\"}\"}\n</tool_call>\n<tool_call>{\"name\": \"run_query\", \"parameters\": {\"sql\": \"SELECT 2\"}}</tool_call>";
        let calls = parse_calls(tagged, &tools()).unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, serde_json::json!({"query": "revenue"}));
        assert_eq!(calls[1].arguments, serde_json::json!({"sql": "SELECT 2"}));
    }

    #[test]
    fn anything_else_stays_text() {
        assert!(
            parse_calls("{\"name\": \"drop_all\", \"arguments\": {}}", &tools()).is_none(),
            "unknown tool"
        );
        assert!(parse_calls("{\"answer\": 42}", &tools()).is_none());
        assert!(parse_calls("```sql\nSELECT 1\n```", &tools()).is_none());
        assert!(looks_like_call("  ```json"));
        assert!(!looks_like_call("There are 42 orders."));
    }
}
