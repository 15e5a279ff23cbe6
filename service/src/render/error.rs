use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name} failed: {source}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("translations cannot be loaded: {message}")]
    Translations { message: String },
    #[error("override template {path} cannot be read: {source}")]
    Override {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A page that cannot be rendered is the service's fault; the cause is logged, not shown.
impl From<RenderError> for ApiError {
    fn from(e: RenderError) -> Self {
        ApiError::Internal(e.into())
    }
}
