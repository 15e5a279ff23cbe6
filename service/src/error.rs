//! The one error type the HTTP layer answers with, and the only `IntoResponse` for errors.
//! Shape (CONTRACT.md): `{"error": {"code", "message", "fields"?}}`.
use crate::db::{self, DbError, TxError};
use axum::{
    Json,
    extract::{FromRequest, Request, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the request signature did not verify")]
    Unauthorized,
    #[error("this role may not do that")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error("too many attempts; try again later")]
    TooManyRequests,
    /// A service the request needed (WooCommerce) failed or refused: 502 with its reason.
    #[error("{message}")]
    Upstream { code: &'static str, message: String },
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    code: String,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, String>,
}

impl ApiError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Invalid {
            code: "invalid_field",
            message: message.clone(),
            fields: BTreeMap::from([(field.to_owned(), message)]),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict { code, .. }
            | Self::Invalid { code, .. }
            | Self::Upstream { code, .. } => code,
            Self::TooManyRequests => "too_many_requests",
            Self::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            // Logged once here; the client only learns that something failed.
            tracing::error!(error = ?cause, "request failed");
        }
        let fields = match &self {
            Self::Invalid { fields, .. } => fields.clone(),
            _ => BTreeMap::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
                fields,
            },
        };
        (self.status(), Json(body)).into_response()
    }
}

impl From<mysql_async::Error> for ApiError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        // The driver's error is what gets logged; a domain had its chance to name a conflict.
        Self::Internal(e.into_inner().into())
    }
}

impl TxError for ApiError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Internal(cause)
            if cause.downcast_ref::<mysql_async::Error>().is_some_and(db::is_retryable))
    }
}

/// `axum::Json` whose rejection answers in the shape above.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::Invalid {
                code: "invalid_body",
                message: e.body_text(),
                fields: BTreeMap::new(),
            }),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
