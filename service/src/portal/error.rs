use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("template {name} failed: {source}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("override template {path} cannot be read: {source}")]
    Override {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl From<PortalError> for ApiError {
    fn from(e: PortalError) -> Self {
        ApiError::Internal(e.into())
    }
}
