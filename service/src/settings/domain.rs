use super::SettingsError;
use crate::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every setting with its default; a missing row means the default.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(default)]
pub struct Settings {
    /// A client may not book a slot starting sooner than this.
    pub min_booking_notice_minutes: u32,
    /// A client may not cancel or reschedule a booking starting sooner than this.
    pub min_change_notice_minutes: u32,
    pub slot_interval_minutes: u32,
    /// How far ahead clients may book.
    pub max_booking_ahead_days: u32,
    /// Live clients allowed; `null` for no limit.
    pub client_limit: Option<u32>,
    /// On cancellation, paid amounts come back to the client's wallet.
    pub cancel_refund_to_wallet: bool,
    /// ISO 4217 code of the site's one currency.
    pub currency: String,
    /// Whether catalog prices already include tax (then tax is extracted, not added).
    pub prices_include_tax: bool,
    /// Default tax rate in percent, e.g. "20.00".
    pub tax_rate_percent: Money,
    /// The business's time zone (IANA), for times that belong to no location: wallet and
    /// activity history, gift codes. `null`: the zone of the first location, else UTC.
    pub timezone: Option<String>,
    /// The locale money and dates are written in (`de_DE`); `null` follows the site's language.
    pub locale: Option<String>,
    /// `auto` (the locale's habit), `12h` or `24h`.
    pub time_format: String,
    /// Visitors of the booking form may leave the rest to be paid on site; when off, what the
    /// form books must be paid online (credits, or WooCommerce once it is configured).
    pub pay_on_site: bool,
    /// Who receives the managers' copy of every booking e-mail.
    pub manager_emails: Vec<String>,
    /// The address clients' answers to Volixta's e-mails go to; `null`: the sender's.
    pub mail_reply_to: Option<String>,
    /// The name e-mails come from (`Studio Lumen <bookings@…>`); empty: the address alone. The
    /// address itself is the operator's (`VOLIXTA_MAIL_FROM`), as the mail server must accept it.
    pub mail_from_name: String,
    /// The business's name and postal address, printed in every e-mail.
    pub business_name: String,
    pub business_address: String,
    /// A reminder leaves this many hours before a booking (to clients who want reminders);
    /// 0 sends none.
    pub reminder_hours_before: u32,
    /// Clients who accept greetings get an e-mail on their birthday (the day in the business's
    /// time zone).
    pub birthday_greetings: bool,
    /// …and on the yearly return of their anniversary date (the client profile's).
    pub anniversary_greetings: bool,
    /// A gift code whose value and validity each greeting copies into a fresh code of its own
    /// (one client, one use); `null` sends greetings without a code.
    pub greeting_gift_code_id: Option<u64>,
    /// The series invoice numbers start with: `INV` gives `INV-2026-000001`. Each series
    /// counts on its own, one gapless sequence per year.
    pub invoice_series: String,
    /// The series of credit notes (`CN-2026-000001`).
    pub credit_note_series: String,
    /// VAT or tax number, printed on invoices.
    pub business_tax_number: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            min_booking_notice_minutes: 60,
            min_change_notice_minutes: 24 * 60,
            slot_interval_minutes: 15,
            max_booking_ahead_days: 365,
            client_limit: None,
            cancel_refund_to_wallet: true,
            currency: "EUR".into(),
            prices_include_tax: true,
            tax_rate_percent: Money::ZERO,
            timezone: None,
            locale: None,
            time_format: "auto".into(),
            pay_on_site: true,
            manager_emails: Vec::new(),
            mail_reply_to: None,
            mail_from_name: String::new(),
            business_name: String::new(),
            business_address: String::new(),
            reminder_hours_before: 24,
            birthday_greetings: false,
            anniversary_greetings: false,
            greeting_gift_code_id: None,
            invoice_series: "INV".into(),
            credit_note_series: "CN".into(),
            business_tax_number: String::new(),
        }
    }
}

/// A partial update: absent keys stay as they are; `client_limit: null` removes the limit.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub min_booking_notice_minutes: Option<u32>,
    pub min_change_notice_minutes: Option<u32>,
    pub slot_interval_minutes: Option<u32>,
    pub max_booking_ahead_days: Option<u32>,
    #[serde(default, with = "serde_with_double_option")]
    #[schema(value_type = Option<u32>)]
    pub client_limit: Option<Option<u32>>,
    pub cancel_refund_to_wallet: Option<bool>,
    pub currency: Option<String>,
    pub prices_include_tax: Option<bool>,
    pub tax_rate_percent: Option<Money>,
    /// An IANA name like `Europe/Paris`; `null` goes back to the first location's zone.
    #[serde(default, with = "serde_with_double_option")]
    #[schema(value_type = Option<String>)]
    pub timezone: Option<Option<String>>,
    /// `null` follows the site's language again.
    #[serde(default, with = "serde_with_double_option")]
    #[schema(value_type = Option<String>)]
    pub locale: Option<Option<String>>,
    pub time_format: Option<String>,
    pub pay_on_site: Option<bool>,
    pub manager_emails: Option<Vec<String>>,
    /// `null` answers go to the sender again.
    #[serde(default, with = "serde_with_double_option")]
    #[schema(value_type = Option<String>)]
    pub mail_reply_to: Option<Option<String>>,
    pub mail_from_name: Option<String>,
    pub business_name: Option<String>,
    pub business_address: Option<String>,
    pub reminder_hours_before: Option<u32>,
    pub birthday_greetings: Option<bool>,
    pub anniversary_greetings: Option<bool>,
    /// `null` sends greetings without a gift code.
    #[serde(default, with = "serde_with_double_option")]
    #[schema(value_type = Option<u64>)]
    pub greeting_gift_code_id: Option<Option<u64>>,
    pub invoice_series: Option<String>,
    pub credit_note_series: Option<String>,
    pub business_tax_number: Option<String>,
}

/// Tells an explicit `null` (Some(None)) from an absent key (None).
mod serde_with_double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }
}

impl SettingsPatch {
    pub fn validate(&self) -> Result<(), SettingsError> {
        const WEEK: u32 = 7 * 24 * 60;
        let checks: [(&'static str, Option<u32>, u32, u32); 5] = [
            (
                "min_booking_notice_minutes",
                self.min_booking_notice_minutes,
                0,
                90 * 24 * 60,
            ),
            (
                "min_change_notice_minutes",
                self.min_change_notice_minutes,
                0,
                90 * 24 * 60,
            ),
            ("slot_interval_minutes", self.slot_interval_minutes, 5, WEEK),
            (
                "max_booking_ahead_days",
                self.max_booking_ahead_days,
                1,
                3 * 366,
            ),
            (
                "reminder_hours_before",
                self.reminder_hours_before,
                0,
                14 * 24,
            ),
        ];
        for (field, value, min, max) in checks {
            if let Some(v) = value
                && !(min..=max).contains(&v)
            {
                return Err(SettingsError::OutOfRange { field, min, max });
            }
        }
        if let Some(currency) = &self.currency
            && !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(SettingsError::Currency);
        }
        if let Some(rate) = self.tax_rate_percent
            && (rate.is_negative() || rate.amount() > rust_decimal::Decimal::ONE_HUNDRED)
        {
            return Err(SettingsError::TaxRate);
        }
        if let Some(Some(zone)) = &self.timezone
            && zone.parse::<chrono_tz::Tz>().is_err()
        {
            return Err(SettingsError::TimeZone);
        }
        if let Some(Some(locale)) = &self.locale
            && !is_locale(locale)
        {
            return Err(SettingsError::Locale);
        }
        if let Some(format) = &self.time_format
            && !matches!(format.as_str(), "auto" | "12h" | "24h")
        {
            return Err(SettingsError::TimeFormat);
        }
        if let Some(addresses) = &self.manager_emails
            && (addresses.len() > 20 || !addresses.iter().all(|a| is_email(a)))
        {
            return Err(SettingsError::Email("manager_emails"));
        }
        if let Some(Some(address)) = &self.mail_reply_to
            && !is_email(address)
        {
            return Err(SettingsError::Email("mail_reply_to"));
        }
        if let Some(name) = &self.mail_from_name
            && name.chars().any(char::is_control)
        {
            return Err(SettingsError::Text {
                field: "mail_from_name",
                message: "one line without control characters",
            });
        }
        for (field, text, max) in [
            ("mail_from_name", &self.mail_from_name, 100),
            ("business_name", &self.business_name, 200),
            ("business_address", &self.business_address, 500),
            ("business_tax_number", &self.business_tax_number, 60),
        ] {
            if text.as_ref().is_some_and(|t| t.chars().count() > max) {
                return Err(SettingsError::TooLong { field, max });
            }
        }
        for (field, series) in [
            ("invoice_series", &self.invoice_series),
            ("credit_note_series", &self.credit_note_series),
        ] {
            if let Some(series) = series
                && !is_series(series)
            {
                return Err(SettingsError::Text {
                    field,
                    message: "1 to 12 capital letters, digits or dashes, not ending with a dash",
                });
            }
        }
        Ok(())
    }

    /// The (name, JSON value) rows this patch writes.
    pub fn rows(&self) -> Vec<(&'static str, serde_json::Value)> {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut rows = Vec::new();
        let present: [(&'static str, bool); 25] = [
            (
                "min_booking_notice_minutes",
                self.min_booking_notice_minutes.is_some(),
            ),
            (
                "min_change_notice_minutes",
                self.min_change_notice_minutes.is_some(),
            ),
            (
                "slot_interval_minutes",
                self.slot_interval_minutes.is_some(),
            ),
            (
                "max_booking_ahead_days",
                self.max_booking_ahead_days.is_some(),
            ),
            ("client_limit", self.client_limit.is_some()),
            (
                "cancel_refund_to_wallet",
                self.cancel_refund_to_wallet.is_some(),
            ),
            ("currency", self.currency.is_some()),
            ("prices_include_tax", self.prices_include_tax.is_some()),
            ("tax_rate_percent", self.tax_rate_percent.is_some()),
            ("timezone", self.timezone.is_some()),
            ("locale", self.locale.is_some()),
            ("time_format", self.time_format.is_some()),
            ("pay_on_site", self.pay_on_site.is_some()),
            ("manager_emails", self.manager_emails.is_some()),
            ("mail_reply_to", self.mail_reply_to.is_some()),
            ("mail_from_name", self.mail_from_name.is_some()),
            ("business_name", self.business_name.is_some()),
            ("business_address", self.business_address.is_some()),
            (
                "reminder_hours_before",
                self.reminder_hours_before.is_some(),
            ),
            ("birthday_greetings", self.birthday_greetings.is_some()),
            (
                "anniversary_greetings",
                self.anniversary_greetings.is_some(),
            ),
            (
                "greeting_gift_code_id",
                self.greeting_gift_code_id.is_some(),
            ),
            ("invoice_series", self.invoice_series.is_some()),
            ("credit_note_series", self.credit_note_series.is_some()),
            ("business_tax_number", self.business_tax_number.is_some()),
        ];
        for (name, is_present) in present {
            if is_present {
                rows.push((name, value[name].clone()));
            }
        }
        rows
    }
}

/// An address an e-mail can be sent to: one `@`, something on both sides, no spaces or
/// characters that would end a mail header.
pub fn is_email(raw: &str) -> bool {
    raw.len() <= 254
        && raw.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        })
        && !raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

/// An invoice series: what a number starts with, before `-YYYY-NNNNNN`.
fn is_series(raw: &str) -> bool {
    (1..=12).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && !raw.ends_with('-')
}

/// A WordPress locale name: a language (`fr`), or a language and a region (`de_DE`, `pt_BR`).
fn is_locale(raw: &str) -> bool {
    let (language, region) = raw.split_once('_').unwrap_or((raw, ""));
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty()
            || ((2..=3).contains(&region.len()) && region.bytes().all(|b| b.is_ascii_uppercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_client_limit_differs_from_absent() {
        let p: SettingsPatch = serde_json::from_str(r#"{"client_limit": null}"#).expect("json");
        assert_eq!(p.client_limit, Some(None));
        assert_eq!(p.rows(), vec![("client_limit", serde_json::Value::Null)]);
        let p: SettingsPatch =
            serde_json::from_str(r#"{"slot_interval_minutes": 30}"#).expect("json");
        assert_eq!(p.client_limit, None);
        assert_eq!(
            p.rows(),
            vec![("slot_interval_minutes", serde_json::json!(30))]
        );
    }

    #[test]
    fn ranges_are_checked() {
        let p = SettingsPatch {
            slot_interval_minutes: Some(1),
            ..Default::default()
        };
        assert!(p.validate().is_err());
        let p = SettingsPatch {
            currency: Some("eur".into()),
            ..Default::default()
        };
        assert!(p.validate().is_err());
        for (locale, ok) in [
            ("de_DE", true),
            ("fr", true),
            ("pt_BR", true),
            ("de-DE", false),
            ("", false),
            ("DE", false),
        ] {
            let p = SettingsPatch {
                locale: Some(Some(locale.into())),
                ..Default::default()
            };
            assert_eq!(p.validate().is_ok(), ok, "{locale}");
        }
        let p = SettingsPatch {
            manager_emails: Some(vec!["boss@example.com".into(), "not an address".into()]),
            ..Default::default()
        };
        assert!(p.validate().is_err());
        let p = SettingsPatch {
            manager_emails: Some(vec!["boss@example.com".into()]),
            mail_reply_to: Some(Some("desk@example.com".into())),
            ..Default::default()
        };
        assert!(p.validate().is_ok());
        let p = SettingsPatch {
            time_format: Some("13h".into()),
            ..Default::default()
        };
        assert!(p.validate().is_err());
        let p = SettingsPatch {
            timezone: Some(Some("Europe/Atlantis".into())),
            ..Default::default()
        };
        assert!(p.validate().is_err());
        let p = SettingsPatch {
            timezone: Some(Some("America/New_York".into())),
            ..Default::default()
        };
        assert!(p.validate().is_ok());
    }
}
