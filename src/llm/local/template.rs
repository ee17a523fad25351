//! Renders a conversation with the chat template a GGUF file carries (`tokenizer.chat_template`, Jinja),
//! the way Hugging Face's `apply_chat_template` does. llama.cpp's own `llama_chat_apply_template` only
//! recognises a few built-in formats and drops tools, so the template is run here with minijinja.

use crate::llm::{Message, Role, ToolSpec};
use serde_json::{Value, json};

/// ChatML, for model files without a template.
const CHATML: &str = "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

/// The tool block added to the system message when the model's own template has no place for tools
/// (Hermes/Qwen style, which the tool-call grammar then enforces).
const TOOLS_PREAMBLE: &str = "\n\n# Tools\n\nYou may call one of these functions to assist with the user query. Their signatures are within <tools></tools> XML tags:\n<tools>";
const TOOLS_FORMAT: &str = "\n</tools>\n\nTo call a function, reply with only a JSON object with its name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

/// A model's chat template.
#[derive(Debug, Clone)]
pub struct ChatTemplate {
    source: String,
    bos: String,
    eos: String,
    knows_tools: bool,
}

impl ChatTemplate {
    /// The template `source` (ChatML when the model has none), with the model's BOS and EOS token texts.
    /// Fails when the template does not compile.
    pub fn new(source: Option<String>, bos: String, eos: String) -> Result<Self, String> {
        let source = source.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| CHATML.to_string());
        let knows_tools = source.contains("tools");
        let template = ChatTemplate { source, bos, eos, knows_tools };
        template.render(&[Message::text(Role::User, "hello")], &[])?;
        Ok(template)
    }

    /// The prompt for `messages`, ending where the assistant's reply begins.
    pub fn render(&self, messages: &[Message], tools: &[ToolSpec]) -> Result<String, String> {
        let mut env = minijinja::Environment::new();
        // Hugging Face renders chat templates with these two on; the templates are written for them.
        let syntax = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build();
        env.set_syntax(syntax.map_err(|e| e.to_string())?);
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", |message: String| -> Result<String, minijinja::Error> {
            Err(minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message))
        });
        let mut wire: Vec<Value> = messages.iter().map(wire_message).collect();
        if !tools.is_empty() && !self.knows_tools {
            add_tools_to_system(&mut wire, tools);
        }
        let tools: Vec<Value> = tools
            .iter()
            .map(|t| {
                json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}})
            })
            .collect();
        let context = minijinja::context! {
            messages => minijinja::Value::from(minijinja::value::Serde(&wire)),
            tools => (!tools.is_empty()).then(|| minijinja::Value::from(minijinja::value::Serde(&tools))),
            add_generation_prompt => true,
            bos_token => self.bos.as_str(),
            eos_token => self.eos.as_str(),
        };
        env.render_str(&self.source, context).map_err(|e| format!("the model's chat template failed: {e:#}"))
    }
}

/// A message as chat templates expect it (OpenAI's shape, with arguments as objects).
fn wire_message(message: &Message) -> Value {
    let role = match message.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    let mut wire = json!({"role": role, "content": message.content});
    if !message.tool_calls.is_empty() {
        wire["tool_calls"] = message
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
    }
    if let Some(id) = &message.tool_call_id {
        wire["tool_call_id"] = json!(id);
    }
    wire
}

/// For templates without tool support: describe the tools in the system message, and turn earlier tool
/// traffic into plain text the template can show.
fn add_tools_to_system(messages: &mut Vec<Value>, tools: &[ToolSpec]) {
    let mut block = String::from(TOOLS_PREAMBLE);
    for tool in tools {
        let spec = json!({"name": tool.name, "description": tool.description, "parameters": tool.parameters});
        block.push('\n');
        block.push_str(&spec.to_string());
    }
    block.push_str(TOOLS_FORMAT);
    match messages.first_mut().filter(|m| m["role"] == "system") {
        Some(system) => {
            let text = format!("{}{block}", system["content"].as_str().unwrap_or_default());
            system["content"] = json!(text);
        }
        None => messages.insert(0, json!({"role": "system", "content": block.trim_start()})),
    }
    for message in messages.iter_mut() {
        if let Some(calls) = message.get("tool_calls").and_then(Value::as_array).cloned() {
            let mut text = message["content"].as_str().unwrap_or_default().to_string();
            for call in calls {
                let call = &call["function"];
                let body = json!({"name": call["name"], "arguments": call["arguments"]});
                text.push_str(&format!("<tool_call>\n{body}\n</tool_call>"));
            }
            *message = json!({"role": "assistant", "content": text});
        } else if message["role"] == "tool" {
            let text = format!(
                "<tool_response>\n{}\n</tool_response>",
                message["content"].as_str().unwrap_or_default()
            );
            *message = json!({"role": "user", "content": text});
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ToolCall;

    /// The Qwen2.5 template as Qwen's GGUF files carry it (abridged to the parts that matter here).
    pub(crate) const QWEN: &str = r#"{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {{- '<|im_start|>user\n<tool_response>\n' + message.content + '\n</tool_response><|im_end|>\n' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}"#;

    fn conversation() -> Vec<Message> {
        vec![
            Message::text(Role::System, "Answer questions about data."),
            Message::text(Role::User, "How many orders?"),
            Message {
                role: Role::Assistant,
                content: String::new(),
                tool_calls: vec![ToolCall {
                    id: "c0".into(),
                    name: "run_query".into(),
                    arguments: json!({"sql": "SELECT count(*) FROM orders"}),
                }],
                tool_call_id: None,
            },
            Message::tool_result("c0", "count\n42"),
        ]
    }

    fn tools() -> Vec<ToolSpec> {
        vec![ToolSpec {
            name: "run_query".into(),
            description: "Run SQL.".into(),
            parameters: json!({"type": "object", "properties": {"sql": {"type": "string"}}}),
        }]
    }

    #[test]
    fn a_template_with_tools_renders_calls_and_results_in_its_own_format() {
        let template = ChatTemplate::new(Some(QWEN.into()), String::new(), "<|im_end|>".into()).unwrap();
        insta::assert_snapshot!(template.render(&conversation(), &tools()).unwrap());
    }

    #[test]
    fn a_template_without_tools_gets_them_in_the_system_message() {
        let template = ChatTemplate::new(None, String::new(), "<|im_end|>".into()).unwrap();
        insta::assert_snapshot!(template.render(&conversation(), &tools()).unwrap());
    }

    #[test]
    fn a_broken_template_is_refused_up_front() {
        let error = ChatTemplate::new(Some("{% for %}".into()), String::new(), String::new()).unwrap_err();
        assert!(error.contains("chat template"), "{error}");
        let raising = "{{ raise_exception('System role not supported') }}";
        let error = ChatTemplate::new(Some(raising.into()), String::new(), String::new()).unwrap_err();
        assert!(error.contains("System role not supported"), "{error}");
    }
}
