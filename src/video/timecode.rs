//! Times as people write them: seconds (`7.5`) or timecodes (`00:01:02.500`), kept as
//! whole microseconds, the unit ffmpeg's `-ss` works in.

/// Why a time was refused; each variant carries the text as written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimeError {
    #[error("time {text:?} is negative")]
    Negative { text: String },
    #[error("time {text:?} is not seconds (7.5) or a timecode (00:01:02.500)")]
    Malformed { text: String },
    #[error("time {text:?}: {part:?} is not a number")]
    NotANumber { text: String, part: String },
    #[error("time {text:?}: minutes must be below 60")]
    Minutes { text: String },
    #[error("time {text:?}: seconds must be below 60")]
    Seconds { text: String },
    #[error("time {text:?} is too large")]
    TooLarge { text: String },
}

/// `HH:MM:SS.mmm` for a time in microseconds (negative times get a leading `-`).
pub fn format_timecode(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let ms = (us.unsigned_abs() + 500) / 1000;
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    format!("{sign}{h:02}:{m:02}:{:02}.{:03}", rest / 1000, rest % 1000)
}

/// Parses `7.5`, `41.208s`, `1:02.5`, `00:01:02.500` into microseconds; refuses
/// negative, non-finite and malformed times with the reason.
pub fn parse_time(text: &str) -> Result<i64, TimeError> {
    let written = || text.to_owned();
    let t = text.trim();
    let t = t.strip_suffix('s').unwrap_or(t);
    if t.starts_with('-') {
        return Err(TimeError::Negative { text: written() });
    }
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(TimeError::Malformed { text: written() });
    }
    let mut us: i64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let value = if last {
            parse_seconds(part)
        } else if part.bytes().all(|b| b.is_ascii_digit()) && part.len() <= 6 {
            part.parse::<i64>().ok().map(|v| v * 1_000_000)
        } else {
            None
        }
        .ok_or_else(|| TimeError::NotANumber {
            text: written(),
            part: (*part).to_owned(),
        })?;
        if !last && i > 0 && value >= 60_000_000 {
            return Err(TimeError::Minutes { text: written() });
        }
        if last && parts.len() > 1 && value >= 60_000_000 {
            return Err(TimeError::Seconds { text: written() });
        }
        us = us
            .checked_mul(if i == 0 { 1 } else { 60 })
            .and_then(|u| u.checked_add(value))
            .ok_or_else(|| TimeError::TooLarge { text: written() })?;
    }
    Ok(us)
}

/// `12.3456789` → 12 345 679 µs (rounded), digits only, at most ~31 years.
fn parse_seconds(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 9
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut digits: Vec<u8> = frac.bytes().map(|b| b - b'0').collect();
    digits.resize(7, 0);
    let micro = digits[..6]
        .iter()
        .fold(0i64, |acc, d| acc * 10 + i64::from(*d));
    let round_up = i64::from(digits[6] >= 5);
    Some(whole * 1_000_000 + micro + round_up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_timecodes() {
        assert_eq!(parse_time("7.5"), Ok(7_500_000));
        assert_eq!(parse_time("41.208s"), Ok(41_208_000));
        assert_eq!(parse_time("00:01:02.500"), Ok(62_500_000));
        assert_eq!(parse_time("1:02.5"), Ok(62_500_000));
        assert_eq!(parse_time("0.0333333"), Ok(33_333));
        assert_eq!(parse_time("0.0000005"), Ok(1));
        assert_eq!(parse_time("2:00:00"), Ok(7_200_000_000));
    }

    #[test]
    fn refuses_bad_times_with_the_reason() {
        assert!(
            parse_time("-1")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert!(parse_time("abc").is_err());
        assert!(
            parse_time("1:75")
                .unwrap_err()
                .to_string()
                .contains("seconds")
        );
        assert!(parse_time("nan").is_err());
        assert!(parse_time("1e3").is_err());
        assert!(parse_time("").is_err());
        assert!(parse_time("1::2").is_err());
    }

    #[test]
    fn formats_timecodes_to_the_millisecond() {
        assert_eq!(format_timecode(41_208_000), "00:00:41.208");
        assert_eq!(format_timecode(3_723_004_600), "01:02:03.005");
        assert_eq!(format_timecode(0), "00:00:00.000");
    }
}
