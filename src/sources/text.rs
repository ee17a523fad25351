//! Fast text forms for values that every export writes by the million: timestamps and PostgreSQL
//! numerics. They must match the engines' own text output; `tests/decoding.rs` compares them.

use chrono::{Datelike, NaiveDateTime, Timelike};

/// Appends `n` in decimal, left-padded with zeros to `width` digits. Formatting machinery is the hot spot
/// of large exports; this is not.
fn push_padded(out: &mut String, mut n: u32, width: usize) {
    let mut digits = [0u8; 10];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for digit in digits[..len].iter().rev() {
        out.push(char::from(*digit));
    }
}

/// `2024-05-01T13:45:00`, with `.123`, `.123456` or `.123456789` only when the fraction is non-zero.
pub(crate) fn iso(at: NaiveDateTime) -> String {
    let mut out = String::with_capacity(30);
    let year = at.year();
    if year < 0 {
        out.push('-');
    }
    push_padded(&mut out, year.unsigned_abs(), 4);
    for (separator, value) in
        [('-', at.month()), ('-', at.day()), ('T', at.hour()), (':', at.minute()), (':', at.second())]
    {
        out.push(separator);
        push_padded(&mut out, value, 2);
    }
    let nanos = at.nanosecond() % 1_000_000_000;
    if nanos != 0 {
        out.push('.');
        if nanos.is_multiple_of(1_000_000) {
            push_padded(&mut out, nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            push_padded(&mut out, nanos / 1_000, 6);
        } else {
            push_padded(&mut out, nanos, 9);
        }
    }
    out
}

/// Parses what [`iso`] writes (and SQLite's `YYYY-MM-DD HH:MM:SS[.fff]`, and a trailing `Z`) without the
/// general-purpose format parser, which dominated Parquet export time.
pub fn parse_iso(text: &str) -> Option<NaiveDateTime> {
    let text = text.strip_suffix('Z').unwrap_or(text);
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !matches!(bytes[10], b'T' | b' ') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|(i, c)| bytes[*i] != *c) {
        return None;
    }
    let date =
        chrono::NaiveDate::from_ymd_opt(i32::try_from(number(0..4)?).ok()?, number(5..7)?, number(8..10)?)?;
    let nanos = match text.get(19..) {
        None | Some("") => 0,
        Some(fraction) => {
            let digits = fraction.strip_prefix('.')?;
            if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse::<u32>().ok()? * 10u32.pow(9 - digits.len() as u32)
        }
    };
    date.and_hms_nano_opt(number(11..13)?, number(14..16)?, number(17..19)?, nanos)
}

/// The text of a PostgreSQL `numeric` in its binary wire format: `ndigits`, `weight`, `sign`, `dscale`
/// (each 16 bits, big-endian), then `ndigits` base-10000 digits. Returns `None` for malformed input.
pub(crate) fn pg_numeric(bytes: &[u8]) -> Option<String> {
    let word = |i: usize| -> Option<u16> { Some(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?])) };
    let ndigits = usize::from(word(0)?);
    let weight = i64::from(word(2)? as i16);
    let sign = word(4)?;
    let dscale = usize::from(word(6)?);
    match sign {
        0xC000 => return Some("NaN".into()),
        0xD000 => return Some("Infinity".into()),
        0xF000 => return Some("-Infinity".into()),
        0x0000 | 0x4000 => {}
        _ => return None,
    }
    let digits: Vec<u16> = (0..ndigits).map(|i| word(8 + 2 * i)).collect::<Option<_>>()?;
    let digit = |i: i64| -> u16 { usize::try_from(i).ok().and_then(|i| digits.get(i)).copied().unwrap_or(0) };
    let mut out = String::with_capacity(8 + 4 * ndigits + dscale);
    if sign == 0x4000 {
        out.push('-');
    }
    if weight >= 0 {
        push_padded(&mut out, u32::from(digit(0)), 1);
        for i in 1..=weight {
            push_padded(&mut out, u32::from(digit(i)), 4);
        }
    } else {
        out.push('0');
    }
    if dscale > 0 {
        out.push('.');
        let start = out.len();
        let mut group = 1;
        while out.len() - start < dscale {
            push_padded(&mut out, u32::from(digit(weight + group)), 4);
            group += 1;
        }
        out.truncate(start + dscale);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for word in [digits.len() as u16, weight as u16, sign, dscale].iter().chain(digits) {
            bytes.extend_from_slice(&word.to_be_bytes());
        }
        bytes
    }

    #[test]
    fn numerics_render_like_postgres() {
        assert_eq!(pg_numeric(&numeric(0, 0, 2, &[12, 3400])).as_deref(), Some("12.34"));
        assert_eq!(pg_numeric(&numeric(1, 0x4000, 0, &[1, 0])).as_deref(), Some("-10000"));
        assert_eq!(pg_numeric(&numeric(-2, 0, 8, &[1234])).as_deref(), Some("0.00001234"));
        assert_eq!(pg_numeric(&numeric(0, 0, 3, &[])).as_deref(), Some("0.000"));
        assert_eq!(pg_numeric(&numeric(0, 0xC000, 0, &[])).as_deref(), Some("NaN"));
        assert_eq!(pg_numeric(&[0, 1]), None);
    }

    #[test]
    fn parse_iso_reads_what_iso_writes() {
        let at = chrono::NaiveDate::from_ymd_opt(2024, 5, 1)
            .unwrap()
            .and_hms_micro_opt(13, 45, 7, 120_500)
            .unwrap();
        assert_eq!(parse_iso(&iso(at)), Some(at));
        assert_eq!(parse_iso("2024-05-01 13:45:07.1205Z"), Some(at));
        assert_eq!(parse_iso("2024-05-01T13:45:07"), at.with_nanosecond(0));
        for bad in [
            "2024-05-01",
            "2024-13-01T00:00:00",
            "2024-05-01T00:00:00.",
            "2024-05-01X00:00:00",
            "2024-05-01T00:00:00+02",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_keep_only_the_fraction_they_have() {
        let at =
            |n| chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap().and_hms_nano_opt(13, 45, 0, n).unwrap();
        assert_eq!(iso(at(0)), "2024-05-01T13:45:00");
        assert_eq!(iso(at(120_000_000)), "2024-05-01T13:45:00.120");
        assert_eq!(iso(at(123_456_000)), "2024-05-01T13:45:00.123456");
        assert_eq!(iso(at(1)), "2024-05-01T13:45:00.000000001");
    }
}
