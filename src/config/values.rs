//! Human-friendly config values: durations such as `"30s"` and sizes such as `"64MiB"`.

use serde::{Deserialize, Deserializer, de};
use std::time::Duration;

/// The shortest and longest statement timeout accepted, from the config or a flag.
pub const TIMEOUT_RANGE: (Duration, Duration) = (Duration::from_millis(100), Duration::from_secs(3600));
/// The smallest byte cap accepted: below it not even a short row fits.
pub const MIN_MAX_BYTES: u64 = 1024;

/// The problem with a statement timeout, if it is out of range.
pub fn check_timeout(timeout: Duration) -> Option<String> {
    let (low, high) = TIMEOUT_RANGE;
    (timeout < low || timeout > high)
        .then(|| format!("timeout {} is outside 100ms..1h", humantime::format_duration(timeout)))
}

/// The problem with a byte cap, if it is too small.
pub fn check_max_bytes(bytes: u64) -> Option<String> {
    (bytes < MIN_MAX_BYTES).then(|| format!("a byte cap of {bytes} is below 1 KiB"))
}

/// Parses `"30s"`, `"500ms"`, `"2m"`, `"1h 30m"`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|error| format!("`{text}` is not a duration ({error}); write it like \"30s\" or \"500ms\""))
}

/// Parses a byte size: a plain number of bytes, or a number with a unit (`B`, `KB`, `KiB`, `MB`, `MiB`,
/// `GB`, `GiB`; case-insensitive).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let bad = || format!("`{text}` is not a size; write it like \"64MiB\", \"500KB\" or 1048576");
    let number: u64 = number.parse().map_err(|_| bad())?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "kib" | "k" => 1 << 10,
        "mb" => 1_000_000,
        "mib" | "m" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" | "g" => 1 << 30,
        _ => return Err(bad()),
    };
    number.checked_mul(multiplier).ok_or_else(bad)
}

/// Formats a byte count for people: `64 MiB`, `1.5 KiB`, `12 B`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 || value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A string or integer in the config, so values that arrive from environment variables as text work too.
#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrNumber {
    Text(String),
    Number(u64),
}

pub(crate) fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    match TextOrNumber::deserialize(deserializer)? {
        TextOrNumber::Text(text) => parse_duration(&text).map_err(de::Error::custom),
        TextOrNumber::Number(n) => Err(de::Error::custom(format!(
            "a bare number ({n}) is ambiguous as a duration; write it with a unit, like \"{n}s\" or \"{n}ms\""
        ))),
    }
}

pub(crate) fn bytes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    match TextOrNumber::deserialize(deserializer)? {
        TextOrNumber::Text(text) => parse_bytes(&text).map_err(de::Error::custom),
        TextOrNumber::Number(n) => Ok(n),
    }
}

pub(crate) fn count<'de, D: Deserializer<'de>, T: TryFrom<u64>>(deserializer: D) -> Result<T, D::Error> {
    let n = match TextOrNumber::deserialize(deserializer)? {
        TextOrNumber::Text(text) => text
            .trim()
            .replace('_', "")
            .parse::<u64>()
            .map_err(|_| de::Error::custom(format!("`{text}` is not a whole number")))?,
        TextOrNumber::Number(n) => n,
    };
    T::try_from(n).map_err(|_| de::Error::custom(format!("{n} is too large")))
}

/// [`duration`] for optional fields (`#[serde(default, deserialize_with = ...)]`).
pub(crate) fn some_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    duration(deserializer).map(Some)
}

/// [`count`] for optional fields (`#[serde(default, deserialize_with = ...)]`).
pub(crate) fn some_count<'de, D: Deserializer<'de>, T: TryFrom<u64>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    count(deserializer).map(Some)
}

pub(crate) fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrBool {
        Text(String),
        Bool(bool),
    }
    match TextOrBool::deserialize(deserializer)? {
        TextOrBool::Bool(b) => Ok(b),
        TextOrBool::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(de::Error::custom(format!("`{text}` is not true or false"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_and_without_units() {
        assert_eq!(parse_bytes("1048576"), Ok(1_048_576));
        assert_eq!(parse_bytes("64MiB"), Ok(64 << 20));
        assert_eq!(parse_bytes("500 kb"), Ok(500_000));
        assert!(parse_bytes("lots").unwrap_err().contains("64MiB"));
        assert!(parse_bytes("99999999999GiB").is_err());
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("soon").unwrap_err().contains("30s"));
    }

    #[test]
    fn byte_counts_format_for_people() {
        assert_eq!(format_bytes(12), "12 B");
        assert_eq!(format_bytes(64 << 20), "64 MiB");
        assert_eq!(format_bytes(1536), "1.5 KiB");
    }
}
