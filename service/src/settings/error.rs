use crate::error::ApiError;

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
}

impl From<SettingsError> for ApiError {
    fn from(e: SettingsError) -> Self {
        let field = match &e {
            SettingsError::OutOfRange { field, .. } => field,
            SettingsError::Currency => "currency",
            SettingsError::TaxRate => "tax_rate_percent",
        };
        ApiError::field(field, e.to_string())
    }
}
