//! Units of text: sizes given as text (`2MiB`, `512KB`), for flags and configuration alike,
//! the distance between words, for "did you mean" suggestions, and plurals of counts.

/// Parses a size like `2MiB`, `512KB`, `1.5MB`, `300000` (bytes). KB/MB/GB are powers of
/// 1000, KiB/MiB/GiB powers of 1024.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| {
        format!("invalid size {text:?}: expected a number with an optional unit, like 2MiB")
    })?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "invalid size unit {other:?}: use B, KB, KiB, MB, MiB, GB or GiB"
            ))
        }
    };
    Ok((number * factor as f64).round() as u64)
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let old = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(old + 1);
            prev = old;
        }
    }
    row[b.len()]
}

/// The candidate nearest to `word`, if one is near enough to be a typo of it (for "did
/// you mean" suggestions).
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(c, word), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// Parses a duration like `90s`, `30m`, `1h` (a whole number and one unit).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| {
        format!("invalid duration {text:?}: expected a number and s, m or h, like 1h")
    })?;
    let seconds = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("invalid duration {text:?}: the unit is s, m or h")),
    };
    Ok(std::time::Duration::from_secs(seconds))
}

/// The plural ending of a count's noun: "" for 1, "s" otherwise.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_decimal_and_binary_units() {
        assert_eq!(parse_size("2MiB"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("512KB"), Ok(512_000));
        assert_eq!(parse_size("1.5mb"), Ok(1_500_000));
        assert_eq!(parse_size("300"), Ok(300));
        assert_eq!(parse_size("1KiB"), Ok(1024));
        assert_eq!(parse_size("3k"), Ok(3000));
        assert_eq!(parse_size("2gib"), Ok(2 << 30));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("4M"), Ok(4_000_000));
        assert_eq!(parse_size("7b"), Ok(7));
        assert!(parse_size("2 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
    }
}
