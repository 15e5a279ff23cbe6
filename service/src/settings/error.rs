use crate::{
    db::{DbError, TxError},
    error::ApiError,
};

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{field} must be between {min} and {max}")]
    OutOfRange {
        field: &'static str,
        min: u32,
        max: u32,
    },
    #[error("currency must be an ISO 4217 code like EUR")]
    Currency,
    #[error("tax_rate_percent must be between 0 and 100")]
    TaxRate,
    #[error("a locale like en_US, de_DE or fr")]
    Locale,
    #[error("auto, 12h or 24h")]
    TimeFormat,
    #[error("timezone must be an IANA time zone like Europe/Paris")]
    TimeZone,
    #[error("{0}: e-mail addresses like name@example.com")]
    Email(&'static str),
    #[error("{field} is at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field}: {message}")]
    Text {
        field: &'static str,
        message: &'static str,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl SettingsError {
    /// The setting a refusal is about.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::OutOfRange { field, .. } => Some(field),
            Self::Currency => Some("currency"),
            Self::TaxRate => Some("tax_rate_percent"),
            Self::Locale => Some("locale"),
            Self::TimeFormat => Some("time_format"),
            Self::TimeZone => Some("timezone"),
            Self::Email(field) | Self::TooLong { field, .. } => Some(field),
            Self::Text { field, .. } => Some(field),
            Self::Db(_) => None,
        }
    }
}

impl From<mysql_async::Error> for SettingsError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl TxError for SettingsError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

impl From<SettingsError> for ApiError {
    fn from(e: SettingsError) -> Self {
        let message = e.to_string();
        match e {
            SettingsError::OutOfRange { field, .. } => ApiError::field(field, message),
            SettingsError::Currency => ApiError::field("currency", message),
            SettingsError::TaxRate => ApiError::field("tax_rate_percent", message),
            SettingsError::Locale => ApiError::field("locale", message),
            SettingsError::TimeFormat => ApiError::field("time_format", message),
            SettingsError::TimeZone => ApiError::field("timezone", message),
            SettingsError::Email(field) | SettingsError::TooLong { field, .. } => {
                ApiError::field(field, message)
            }
            SettingsError::Text { field, .. } => ApiError::field(field, message),
            SettingsError::Db(e) => e.into(),
        }
    }
}
