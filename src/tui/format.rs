//! Text for values shown on screen: counts with thousands separators,
//! percentages, months, and truncation to a column width.

use chrono::NaiveDate;
use ratatui::text::Span;

use crate::domain::cutoffs::DAYS_PER_MONTH;

/// The text shown for a value that is not recorded.
pub const MISSING: &str = "missing";

/// Format a count with thousands separators: `100000` as `100,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(c);
    }
    text
}

/// Format a probability in [0, 1] as a whole percentage.
pub fn percent(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

/// Months from `start` to `end`, days / 30.4375 as overall survival uses.
pub fn months_between(start: NaiveDate, end: NaiveDate) -> f64 {
    (end - start).num_days() as f64 / DAYS_PER_MONTH
}

/// Format a stored number as the shortest text that reads back to the
/// same value, so that an unchanged form field saves the same number.
pub fn stored(value: f64) -> String {
    value.to_string()
}

/// Format an optional value, or return an empty string.
pub fn or_empty<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Display width of `text` in terminal columns.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// `text` cut to at most `max` columns, ending in `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let mut buffer = [0u8; 4];
        let w = width(c.encode_utf8(&mut buffer));
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` cut or padded with spaces to exactly `columns` columns.
pub fn fit(text: &str, columns: usize) -> String {
    let cut = truncate(text, columns);
    let pad = columns.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

/// `text` broken into lines of at most `columns` columns at spaces; a word
/// longer than a line is cut.
pub fn wrap_words(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = width(word) + usize::from(!line.is_empty());
        if !line.is_empty() && width(&line) + needed > columns {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&truncate(word, columns));
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Put the first letter in upper case, for labels that start a line.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_groups_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn truncate_marks_cut_text() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abcdef", 0), "");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(width(&fit("HSP90α high", 5)), 5);
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap_words("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap_words("", 6), vec![""]);
        assert_eq!(wrap_words("abcdefgh", 4), vec!["abc…"]);
    }

    #[test]
    fn months_use_mean_month_length() {
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        assert!((months_between(start, end) - 366.0 / 30.4375).abs() < 1e-12);
    }
}
