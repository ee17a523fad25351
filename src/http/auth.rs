//! API keys: random bearer tokens, stored in the config only as SHA-256 digests.
//!
//! A key is 32 random bytes, so a plain SHA-256 digest is enough to store it (a slow password hash guards
//! guessable secrets; these are not guessable). Every configured digest is compared in constant time on
//! every request, so the response time does not tell which key, or which prefix, came close.

use crate::config::ApiKeyConfig;
use crate::error::{Error, ErrorCode};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The prefix of every key, so a leaked key is recognisable (secret scanners, logs).
pub const KEY_PREFIX: &str = "pvk_";

/// The keys the server accepts. Empty means no key is needed (allowed only on loopback, or by an explicit
/// `allow_anonymous`).
#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    keys: Vec<Key>,
}

/// One accepted key.
#[derive(Debug, Clone)]
struct Key {
    name: String,
    digest: [u8; 32],
    /// `None`: every route. `Some(origins)`: a widget key, for `POST /v1/chat` from these origins only.
    chat_origins: Option<Vec<String>>,
    /// For a widget key: the sources it may ask about (empty: all).
    sources: Vec<String>,
}

/// The key that authorized a request: its name (for the logs), and whether it is a widget key.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's name.
    pub name: String,
    /// A widget key (`scope = "chat"`).
    pub widget: bool,
    /// For a widget key configured with `sources`: the only sources it may use.
    pub sources: Option<Vec<String>>,
}

impl Caller {
    /// Whether this caller may use the source `name`.
    pub fn may_use(&self, name: &str) -> bool {
        self.sources.as_ref().is_none_or(|allowed| allowed.iter().any(|s| s == name))
    }
}

impl ApiKeys {
    /// The configured keys. Digests that are not 64 hex digits are rejected (config check reports them).
    pub fn from_config(keys: &[ApiKeyConfig]) -> Result<Self, String> {
        let mut parsed = Vec::new();
        for key in keys {
            let digest = parse_digest(&key.sha256)
                .ok_or_else(|| format!("the digest of API key `{}` is not 64 hex digits", key.name))?;
            let chat_origins = (key.scope.as_deref() == Some("chat")).then(|| key.origins.clone());
            parsed.push(Key { name: key.name.clone(), digest, chat_origins, sources: key.sources.clone() });
        }
        Ok(ApiKeys { keys: parsed })
    }

    /// Whether any key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The browser origins of every widget key (they need CORS).
    pub fn widget_origins(&self) -> Vec<String> {
        self.keys.iter().filter_map(|k| k.chat_origins.clone()).flatten().collect()
    }

    /// Whether `headers` present a key with every route (not a widget key).
    pub fn full_key(&self, headers: &HeaderMap) -> bool {
        presented(headers).and_then(|key| self.find(key)).is_some_and(|key| key.chat_origins.is_none())
    }

    fn find(&self, presented: &str) -> Option<&Key> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for key in &self.keys {
            // No early exit: every key is compared in full.
            let same = key.digest.iter().zip(digest.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
            if same && found.is_none() {
                found = Some(key);
            }
        }
        found
    }
}

/// A new random key and its digest (hex), for `picovis key new`.
pub fn new_key() -> Result<(String, String), String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    let key = format!("{KEY_PREFIX}{}", crate::models::hex(&bytes));
    let digest = crate::models::hex(&Sha256::digest(key.as_bytes()));
    Ok((key, digest))
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(digest)
}

/// The key a request presents: `Authorization: Bearer KEY`, or `X-Api-Key: KEY` for clients that cannot
/// set the authorization header.
fn presented(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok())).map(str::trim)
}

/// Middleware: lets a request through when no keys are configured or it presents a known key.
pub async fn require_key(State(keys): State<Arc<ApiKeys>>, mut request: Request, next: Next) -> Response {
    if keys.is_empty() {
        return next.run(request).await;
    }
    let key = presented(request.headers()).and_then(|key| keys.find(key));
    match key {
        Some(Key { chat_origins: Some(origins), name, sources, .. }) => {
            let origin =
                request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let path = request.uri().path();
            let chat = request.method() == axum::http::Method::POST
                && (path == "/v1/chat" || path == "/v1/feedback");
            if !chat || !origins.iter().any(|o| o == origin) {
                let reason = if chat {
                    "this widget key is not allowed from this page's origin"
                } else {
                    "a widget key can only ask questions and vote (POST /v1/chat, /v1/feedback)"
                };
                tracing::warn!(key = %name, path = %request.uri().path(), origin, reason, "request refused");
                return Error::new(ErrorCode::Forbidden, reason).into_response();
            }
            let sources = (!sources.is_empty()).then(|| sources.clone());
            request.extensions_mut().insert(Caller { name: name.clone(), widget: true, sources });
            next.run(request).await
        }
        Some(Key { name, .. }) => {
            request.extensions_mut().insert(Caller { name: name.clone(), widget: false, sources: None });
            next.run(request).await
        }
        None => {
            let reason = if presented(request.headers()).is_some() {
                "the API key is not valid"
            } else {
                "an API key is required: send `Authorization: Bearer KEY`"
            };
            tracing::warn!(path = %request.uri().path(), reason, "request refused");
            let mut response = Error::new(ErrorCode::Unauthorized, reason).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            response.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_matches_its_own_digest_and_no_other() {
        let (key, digest) = new_key().unwrap_or_default();
        assert!(key.starts_with(KEY_PREFIX) && key.len() == KEY_PREFIX.len() + 64);
        let keys = ApiKeys::from_config(&[ApiKeyConfig {
            name: "ci".into(),
            sha256: digest,
            scope: None,
            origins: Vec::new(),
            sources: Vec::new(),
        }])
        .unwrap_or_default();
        let name = |presented: &str| keys.find(presented).map(|k| k.name.clone());
        assert_eq!(name(&key).as_deref(), Some("ci"));
        assert!(keys.widget_origins().is_empty());
        assert_eq!(name(&format!("{key}x")), None);
        assert_eq!(name(""), None);
        let (other, _) = new_key().unwrap_or_default();
        assert_ne!(key, other);
    }

    #[test]
    fn malformed_digests_are_refused() {
        let bad = [ApiKeyConfig {
            name: "x".into(),
            sha256: "abc".into(),
            scope: None,
            origins: Vec::new(),
            sources: Vec::new(),
        }];
        assert!(ApiKeys::from_config(&bad).is_err());
        let bad = [ApiKeyConfig {
            name: "x".into(),
            sha256: "zz".repeat(32),
            scope: None,
            origins: Vec::new(),
            sources: Vec::new(),
        }];
        assert!(ApiKeys::from_config(&bad).is_err());
    }
}
