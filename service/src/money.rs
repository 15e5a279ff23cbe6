//! Money is a `Decimal` (DECIMAL(19,4) in SQL), shown with the currency's two decimals.
//! One rounding rule everywhere: half away from zero, to the minor unit, when a line is computed.
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

pub const MINOR_UNITS: u32 = 2;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("not a decimal amount like \"45.00\"")]
    NotDecimal,
    #[error("at most {MINOR_UNITS} decimals")]
    TooPrecise,
    #[error("too large")]
    TooLarge,
}

impl Money {
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// Rounds a computed amount to the minor unit.
    pub fn round(amount: Decimal) -> Self {
        Self(amount.round_dp_with_strategy(MINOR_UNITS, RoundingStrategy::MidpointAwayFromZero))
    }

    /// From a stored DECIMAL(19,4), which only ever holds rounded amounts.
    pub fn from_db(amount: Decimal) -> Self {
        Self::round(amount)
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn abs(self) -> Self {
        Self(self.0.abs())
    }
}

impl std::ops::Add for Money {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl std::ops::Neg for Money {
    type Output = Self;
    fn neg(self) -> Self {
        Self(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
        {
            return Err(MoneyError::NotDecimal);
        }
        let d = Decimal::from_str(s).map_err(|_| MoneyError::NotDecimal)?;
        if d.normalize().scale() > MINOR_UNITS {
            return Err(MoneyError::TooPrecise);
        }
        // DECIMAL(19,4) holds 15 integer digits.
        if d.abs() >= Decimal::from(1_000_000_000_000_000_i64) {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self::round(d))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        d.rescale(MINOR_UNITS);
        write!(f, "{d}")
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Number(n) => n.to_string(),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["45.00"])
            .description(Some("Decimal amount with two decimals"))
            .into()
    }
}

impl utoipa::ToSchema for Money {}

/// Display with the currency's symbol where it has a common one.
pub fn format_with_currency(amount: Money, currency: &str) -> String {
    match currency {
        "EUR" => format!("€{amount}"),
        "USD" => format!("${amount}"),
        "GBP" => format!("£{amount}"),
        other => format!("{amount} {other}"),
    }
}

/// Display for a locale (`de_DE`, `fr_FR`, `en_US`): the decimal sign, the grouping of thousands
/// and where the currency sign stands, as people there write prices. English and unknown
/// locales print as `format_with_currency` does (`€60.00`), which is what the default `en_US`
/// has always printed.
pub fn format_for_locale(amount: Money, currency: &str, locale: &str) -> String {
    // (languages, thousands separator, sign before the amount)
    const COMMA: &[(&[&str], &str, bool)] = &[
        (
            &[
                "de", "es", "it", "da", "id", "el", "ro", "hr", "sl", "sr", "tr", "is",
            ],
            ".",
            false,
        ),
        (&["nl", "pt_BR"], ".", true),
        (
            &[
                "fr", "sv", "fi", "nb", "nn", "pl", "cs", "sk", "ru", "uk", "hu", "bg", "lt", "lv",
                "et", "pt",
            ],
            "\u{202f}",
            false,
        ),
    ];
    let lang = locale.split('_').next().unwrap_or("");
    let Some((_, group, before)) = COMMA
        .iter()
        .find(|(langs, _, _)| langs.contains(&locale) || langs.contains(&lang))
    else {
        return format_with_currency(amount, currency);
    };
    let plain = amount.abs().to_string();
    let (units, cents) = plain.split_once('.').unwrap_or((&plain, "00"));
    let mut grouped = String::with_capacity(units.len() + 8);
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(digit);
    }
    let sign = if amount.is_negative() { "-" } else { "" };
    let symbol = match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        other => other,
    };
    // A no-break space keeps the sign on the amount's line.
    if *before {
        format!("{sign}{symbol}\u{a0}{grouped},{cents}")
    } else {
        format!("{sign}{grouped},{cents}\u{a0}{symbol}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_two_decimals() {
        assert_eq!(
            "45".parse::<Money>().map(|m| m.to_string()),
            Ok("45.00".into())
        );
        assert_eq!(
            "-10.5".parse::<Money>().map(|m| m.to_string()),
            Ok("-10.50".into())
        );
        assert_eq!(
            "1.000".parse::<Money>().map(|m| m.to_string()),
            Ok("1.00".into())
        );
        assert_eq!("1.005".parse::<Money>(), Err(MoneyError::TooPrecise));
        assert_eq!("1e3".parse::<Money>(), Err(MoneyError::NotDecimal));
        assert_eq!("".parse::<Money>(), Err(MoneyError::NotDecimal));
    }

    #[test]
    fn prints_amounts_as_each_locale_writes_them() {
        let m = |s: &str| s.parse::<Money>().expect("money");
        assert_eq!(format_for_locale(m("60"), "EUR", "en_US"), "€60.00");
        assert_eq!(format_for_locale(m("60"), "EUR", "de_DE"), "60,00\u{a0}€");
        assert_eq!(
            format_for_locale(m("1234567.5"), "EUR", "de_DE"),
            "1.234.567,50\u{a0}€"
        );
        assert_eq!(format_for_locale(m("-12.5"), "USD", "de"), "-12,50\u{a0}$");
        assert_eq!(
            format_for_locale(m("1234"), "EUR", "fr_FR"),
            "1\u{202f}234,00\u{a0}€"
        );
        assert_eq!(format_for_locale(m("999"), "EUR", "nl_NL"), "€\u{a0}999,00");
        assert_eq!(format_for_locale(m("5"), "GBP", "en_GB"), "£5.00");
        assert_eq!(format_for_locale(m("5"), "JPY", "xx"), "5.00 JPY");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let r = |s: &str| Money::round(Decimal::from_str(s).expect("decimal")).to_string();
        assert_eq!(r("2.345"), "2.35");
        assert_eq!(r("2.344"), "2.34");
        assert_eq!(r("-2.345"), "-2.35");
        assert_eq!(r("0.005"), "0.01");
    }
}
