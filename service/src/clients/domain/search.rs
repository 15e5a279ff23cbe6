//! The words a client is found by. A search word matches the start of a token; the phone gives
//! every run of its trailing digits, so any part of a number finds it.
use super::Profile;
use crate::clients::domain::duplicates::normalise;

pub const TOKEN_MAX: usize = 64;
const MIN_PHONE_DIGITS: usize = 3;
/// More words than this in one search narrow nothing in practice.
const MAX_WORDS: usize = 5;

fn cut(s: &str) -> String {
    s.chars().take(TOKEN_MAX).collect()
}

pub fn tokens(p: &Profile) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in [&p.first_name, &p.last_name] {
        out.extend(
            normalise(name)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(cut),
        );
    }
    if let Some(email) = &p.email {
        let email = email.as_str().to_lowercase();
        if email.is_ascii() {
            out.push(cut(&email));
        }
        out.extend(
            normalise(&email)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(cut),
        );
    }
    if let Some(phone) = &p.phone {
        let digits: String = phone
            .as_str()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        for start in 0..=digits.len().saturating_sub(MIN_PHONE_DIGITS) {
            out.push(digits[start..].to_owned());
        }
    }
    out.retain(|t| !t.is_empty() && t.is_ascii());
    out.sort();
    out.dedup();
    out
}

/// The words of a search, folded like the tokens. Digits separated by spaces, dashes or dots
/// (a phone number as people type it) make one word.
pub fn words(search: &str) -> Vec<String> {
    let compact_digits = search
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+' | '/'));
    if compact_digits && search.chars().any(|c| c.is_ascii_digit()) {
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        // International (00…) or national (0…) prefixes are not part of the stored digits.
        let digits = digits.trim_start_matches("00");
        return vec![cut(digits.strip_prefix('0').unwrap_or(digits))];
    }
    let mut out: Vec<String> = Vec::new();
    let lowered = search.trim().to_lowercase();
    // A whole e-mail address is a token as typed.
    if lowered.contains('@') && !lowered.contains(' ') && lowered.is_ascii() {
        out.push(cut(&lowered));
    } else {
        out.extend(
            normalise(search)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(cut),
        );
    }
    out.sort();
    out.dedup();
    out.truncate(MAX_WORDS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::ClientInput;

    fn profile(json: serde_json::Value) -> Profile {
        let input: ClientInput = serde_json::from_value(json).expect("input");
        Profile::blank()
            .apply(
                input,
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            )
            .expect("valid")
    }

    #[test]
    fn a_client_is_found_by_name_words_email_parts_and_phone_digits() {
        let p = profile(
            serde_json::json!({"first_name": "Zoë Ann", "last_name": "Ångström",
            "email": "Zoe.A@Example.com", "phone": "+33 1 23 45 67 89"}),
        );
        let t = tokens(&p);
        for expected in [
            "zoe",
            "ann",
            "angstrom",
            "zoe.a@example.com",
            "example",
            "com",
            "33123456789",
            "23456789",
            "789",
        ] {
            assert!(t.contains(&expected.to_owned()), "{expected} in {t:?}");
        }
        assert!(!t.contains(&"89".to_owned()), "too short to search by");
    }

    #[test]
    fn searches_fold_like_tokens() {
        assert_eq!(words("ZOË  Ångström"), ["angstrom", "zoe"]);
        assert_eq!(words("23 45"), ["2345"]);
        assert_eq!(words("0044 20 7946"), ["44207946"]);
        assert_eq!(words("020 7946"), ["207946"]);
        assert_eq!(words("ann@example.com"), ["ann@example.com"]);
        assert_eq!(
            words("zoe@example"),
            ["zoe@example"],
            "the start of an address"
        );
        assert!(words("  ").is_empty());
    }
}
