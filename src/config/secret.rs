//! Connection URLs and the secrets inside them.
//!
//! A URL in the config is a template: `${NAME}` is replaced by the environment variable `NAME` when the
//! source is opened, and `password_file` can supply the password. The resolved URL is held in a type whose
//! `Debug` and `Display` hide the password, so it cannot leak through logs or error messages by accident.

use serde::Deserialize;
use std::fmt;

/// A URL template from the config, as written (with `${NAME}` references unexpanded).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct UrlTemplate(String);

impl UrlTemplate {
    /// Wraps a template string.
    pub fn new(text: impl Into<String>) -> Self {
        UrlTemplate(text.into())
    }

    /// The scheme (`postgres`, `mysql`, `sqlite`, `demo`...), lower-cased, if the URL has one.
    pub fn scheme(&self) -> Option<String> {
        let (scheme, _) = self.0.split_once(':')?;
        let valid = !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+');
        valid.then(|| scheme.to_ascii_lowercase())
    }

    /// The names of the environment variables the template refers to.
    pub fn references(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut rest = self.0.as_str();
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    names.push(after[..end].to_string());
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        names
    }

    /// Expands every `${NAME}` with `lookup`. Fails with the first name that has no value, or on an
    /// unterminated reference.
    pub fn resolve(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<SecretUrl, String> {
        let mut out = String::with_capacity(self.0.len());
        let mut rest = self.0.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or("an unterminated `${` reference; close it with `}`")?;
            let name = &after[..end];
            let value = lookup(name).ok_or_else(|| {
                format!("environment variable `{name}` is not set; export it, or use password_file")
            })?;
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(SecretUrl(out))
    }
}

impl fmt::Debug for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact(&self.0))
    }
}

impl fmt::Display for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// A resolved connection URL. Only connectors read the real text, through [`SecretUrl::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// The full URL, password included. Call only where it is handed to a driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact(&self.0))
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// A secret string (such as a password read from a file) that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Call only where it is handed to a driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

/// Replaces the password of `scheme://user:password@host` with `***`, and any query parameter whose name
/// suggests a secret (`password`, `sslpassword`, `token`...), so URLs can be shown.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end =
            out[authority_start..].find(['/', '?', '#']).map_or(out.len(), |i| authority_start + i);
        if let Some(at) = out[authority_start..authority_end].rfind('@') {
            let userinfo = &out[authority_start..authority_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = authority_start + colon + 1;
                out.replace_range(start..authority_start + at, "***");
            }
        }
    }
    if let Some(query_start) = out.find('?') {
        let (base, query) = out.split_at(query_start + 1);
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if is_secret_key(key) => format!("{key}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{base}{}", redacted.join("&"));
    }
    out
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "passwd", "pwd", "secret", "token", "key"].iter().any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_userinfo_and_query() {
        assert_eq!(redact("postgres://bob:hunter2@db:5432/x"), "postgres://bob:***@db:5432/x");
        assert_eq!(
            redact("mysql://bob@db/x?password=hunter2&ssl-mode=required"),
            "mysql://bob@db/x?password=***&ssl-mode=required"
        );
        assert_eq!(redact("sqlite:///data/x.db"), "sqlite:///data/x.db");
        assert_eq!(redact("postgres://a:b:c@h/d"), "postgres://a:***@h/d");
    }

    #[test]
    fn templates_expand_env_references_and_hide_the_result() {
        let template = UrlTemplate::new("postgres://bob:${PGPW}@db/x");
        assert_eq!(template.references(), vec!["PGPW".to_string()]);
        let url = template.resolve(|name| (name == "PGPW").then(|| "s3cret".to_string())).unwrap();
        assert_eq!(url.expose(), "postgres://bob:s3cret@db/x");
        assert!(!format!("{url:?} {url}").contains("s3cret"));
        let missing = template.resolve(|_| None).unwrap_err();
        assert!(missing.contains("`PGPW` is not set"), "{missing}");
        assert!(UrlTemplate::new("postgres://${OOPS").resolve(|_| None).is_err());
    }

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "\"[redacted]\"");
    }

    #[test]
    fn schemes_are_recognised() {
        assert_eq!(UrlTemplate::new("postgresql://x").scheme().as_deref(), Some("postgresql"));
        assert_eq!(UrlTemplate::new("demo:").scheme().as_deref(), Some("demo"));
        assert_eq!(UrlTemplate::new("/just/a/path").scheme(), None);
    }
}
