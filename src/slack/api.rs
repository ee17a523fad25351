//! The few Slack Web API methods the bot uses, over plain HTTPS with the bot token.
//!
//! Slack answers HTTP 200 with `{"ok": false, "error": "..."}` for most failures, so both the status and
//! the `ok` field are checked. The base URL is configurable so tests can run against a local server that
//! speaks the same wire format.

use serde_json::{Value, json};

/// A Web API failure.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// The request did not get an answer.
    #[error("Slack could not be reached: {0}")]
    Transport(String),
    /// Slack answered with an error (`invalid_auth`, `channel_not_found`, `msg_too_long`...).
    #[error("Slack refused {method}: {error}")]
    Api {
        /// The method called.
        method: String,
        /// Slack's error code.
        error: String,
    },
}

/// A Web API client for one bot token.
#[derive(Debug, Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl SlackApi {
    /// A client for `base` (`https://slack.com/api`) with the bot token.
    pub fn new(base: &str, token: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        SlackApi { http, base: base.trim_end_matches('/').to_string(), token: token.to_string() }
    }

    /// Posts a message (in a thread when `thread_ts` is set); returns its `ts`.
    pub async fn post_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        text: &str,
        blocks: Option<&Value>,
    ) -> Result<String, SlackError> {
        let mut body = json!({ "channel": channel, "text": text, "unfurl_links": false });
        if let Some(ts) = thread_ts {
            body["thread_ts"] = json!(ts);
        }
        if let Some(blocks) = blocks {
            body["blocks"] = blocks.clone();
        }
        let answer = self.call_json("chat.postMessage", &body).await?;
        Ok(answer["ts"].as_str().unwrap_or_default().to_string())
    }

    /// Replaces a message's text and blocks.
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        text: &str,
        blocks: Option<&Value>,
    ) -> Result<(), SlackError> {
        let mut body = json!({ "channel": channel, "ts": ts, "text": text });
        body["blocks"] = blocks.cloned().unwrap_or_else(|| json!([]));
        self.call_json("chat.update", &body).await.map(drop)
    }

    /// Uploads a file into a channel (and thread): reserve an upload URL, send the bytes, complete.
    pub async fn upload(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        filename: &str,
        title: &str,
        bytes: Vec<u8>,
    ) -> Result<(), SlackError> {
        let length = bytes.len().to_string();
        let reserved = self
            .call_form("files.getUploadURLExternal", &[("filename", filename), ("length", &length)])
            .await?;
        let (Some(url), Some(id)) = (reserved["upload_url"].as_str(), reserved["file_id"].as_str()) else {
            return Err(api_error("files.getUploadURLExternal", "no upload_url in the answer"));
        };
        let sent =
            self.http.post(url).body(bytes).send().await.map_err(|e| SlackError::Transport(e.to_string()))?;
        if !sent.status().is_success() {
            return Err(api_error("file upload", &format!("HTTP {}", sent.status())));
        }
        let files = json!([{ "id": id, "title": title }]).to_string();
        let mut form = vec![("files", files.as_str()), ("channel_id", channel)];
        if let Some(ts) = thread_ts {
            form.push(("thread_ts", ts));
        }
        self.call_form("files.completeUploadExternal", &form).await.map(drop)
    }

    /// Posts to a slash command's `response_url` (no token: the URL is the credential).
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), SlackError> {
        let answer = self
            .http
            .post(response_url)
            .json(body)
            .send()
            .await
            .map_err(|e| SlackError::Transport(e.to_string()))?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(api_error("response_url", &format!("HTTP {}", answer.status())))
        }
    }

    async fn call_json(&self, method: &str, body: &Value) -> Result<Value, SlackError> {
        let request = self.http.post(format!("{}/{method}", self.base)).bearer_auth(&self.token).json(body);
        read(method, request).await
    }

    async fn call_form(&self, method: &str, form: &[(&str, &str)]) -> Result<Value, SlackError> {
        let body = serde_urlencoded::to_string(form).map_err(|e| SlackError::Transport(e.to_string()))?;
        let request = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        read(method, request).await
    }
}

async fn read(method: &str, request: reqwest::RequestBuilder) -> Result<Value, SlackError> {
    let response = request.send().await.map_err(|e| SlackError::Transport(e.to_string()))?;
    let status = response.status();
    let answer: Value =
        response.json().await.map_err(|e| SlackError::Transport(format!("HTTP {status}: {e}")))?;
    if answer["ok"].as_bool() == Some(true) {
        Ok(answer)
    } else {
        Err(api_error(method, answer["error"].as_str().unwrap_or("unknown_error")))
    }
}

fn api_error(method: &str, error: &str) -> SlackError {
    SlackError::Api { method: method.to_string(), error: error.to_string() }
}
