//! Slack request signatures: HMAC-SHA256 over `v0:{timestamp}:{body}` with the app's signing secret.
//!
//! Every request to the Slack routes is checked before anything in it is read. The timestamp must be
//! within five minutes of now (a captured request cannot be replayed later), and the comparison of the
//! signatures takes the same time whatever they share.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a request's timestamp may be from now.
pub const MAX_AGE_SECS: i64 = 5 * 60;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The signature or timestamp header is missing or malformed.
    #[error("the request is not signed by Slack (missing or malformed X-Slack-Signature / timestamp)")]
    Unsigned,
    /// The timestamp is too old or too far in the future.
    #[error("the request's timestamp is more than five minutes from now")]
    Stale,
    /// The signature does not match.
    #[error("the request's signature does not match the signing secret")]
    BadSignature,
}

/// Checks a request's signature against `secret`, at time `now` (Unix seconds).
pub fn verify(secret: &[u8], headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), Rejection> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let timestamp = header("x-slack-request-timestamp").ok_or(Rejection::Unsigned)?;
    let signature =
        header("x-slack-signature").and_then(|s| s.strip_prefix("v0=")).ok_or(Rejection::Unsigned)?;
    let seconds: i64 = timestamp.trim().parse().map_err(|_| Rejection::Unsigned)?;
    // Checked: a timestamp near i64::MIN or MAX must be stale, not an overflow.
    match now.checked_sub(seconds) {
        Some(age) if age.unsigned_abs() <= MAX_AGE_SECS.unsigned_abs() => {}
        _ => return Err(Rejection::Stale),
    }
    let expected = decode_hex(signature).ok_or(Rejection::BadSignature)?;
    let mac = mac(secret, timestamp, body);
    mac.verify_slice(&expected).map_err(|_| Rejection::BadSignature)
}

/// The `X-Slack-Signature` value Slack would send for `body` at `timestamp`; the tests sign with it.
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    format!("v0={}", crate::models::hex(&mac(secret, timestamp, body).finalize().into_bytes()))
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(timestamp: &str, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-slack-request-timestamp", timestamp.parse().unwrap_or_else(|_| unreachable!()));
        headers.insert("x-slack-signature", signature.parse().unwrap_or_else(|_| unreachable!()));
        headers
    }

    // The worked example in Slack's "Verifying requests from Slack" guide.
    const SECRET: &[u8] = b"8f742231b10e8888abcd99yyyzzz85a5";
    const TIMESTAMP: &str = "1531420618";
    const BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn slacks_own_example_verifies() {
        assert_eq!(sign(SECRET, TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(verify(SECRET, &headers(TIMESTAMP, SIGNATURE), BODY, 1531420618 + 10), Ok(()));
    }

    #[test]
    fn tampering_staleness_and_missing_headers_are_refused() {
        let now = 1531420618;
        let mut body = BODY.to_vec();
        body[0] = b'T';
        assert_eq!(verify(SECRET, &headers(TIMESTAMP, SIGNATURE), &body, now), Err(Rejection::BadSignature));
        assert_eq!(verify(b"other", &headers(TIMESTAMP, SIGNATURE), BODY, now), Err(Rejection::BadSignature));
        assert_eq!(verify(SECRET, &headers(TIMESTAMP, SIGNATURE), BODY, now + 301), Err(Rejection::Stale));
        assert_eq!(verify(SECRET, &headers(TIMESTAMP, "v0=zz"), BODY, now), Err(Rejection::BadSignature));
        assert_eq!(verify(SECRET, &headers(TIMESTAMP, "a2114d"), BODY, now), Err(Rejection::Unsigned));
        assert_eq!(verify(SECRET, &HeaderMap::new(), BODY, now), Err(Rejection::Unsigned));
    }

    #[test]
    fn timestamps_at_the_ends_of_the_range_are_stale_not_overflows() {
        let now = 1531420618;
        // `i64::MIN + now` is now minus 2^63, which overflowed `now - seconds`.
        for timestamp in [i64::MIN + now, i64::MIN, now - i64::MAX, i64::MAX, -1] {
            let stamp = timestamp.to_string();
            let signature = sign(SECRET, &stamp, BODY);
            assert_eq!(
                verify(SECRET, &headers(&stamp, &signature), BODY, now),
                Err(Rejection::Stale),
                "{stamp}"
            );
        }
        let signature = sign(SECRET, "0", BODY);
        assert_eq!(verify(SECRET, &headers("0", &signature), BODY, i64::MAX), Err(Rejection::Stale));
        assert_eq!(verify(SECRET, &headers("0", &signature), BODY, i64::MIN), Err(Rejection::Stale));
    }
}
