use crate::{
    auth::AuthError,
    db::{DbError, TxError},
    error::ApiError,
    rewards::RewardError,
    wallet::WalletError,
};
use std::collections::BTreeMap;

pub type ClientResult<T> = Result<T, ClientError>;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("first name is required")]
    FirstNameRequired,
    #[error("names are limited to 100 characters")]
    NameTooLong,
    #[error("status is limited to 40 characters")]
    StatusTooLong,
    #[error("e-mail address is not valid")]
    Email,
    #[error("phone must be international, with its country code, e.g. +44 20 7946 0000")]
    Phone,
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("client not found")]
    NotFound,
    #[error("the client limit of this site is reached")]
    LimitReached,
    #[error("this WordPress user is already linked to another client")]
    WpUserTaken,
    #[error("the client is not deleted")]
    NotDeleted,
    #[error("the client is deleted or merged")]
    NotLive,
    #[error("only staff may change: {}", .0.join(", "))]
    StaffOnly(Vec<&'static str>),
    #[error("this client is blocked from booking online")]
    Blocked,
    #[error("this client's permission level does not allow to {0}")]
    NotPermitted(&'static str),
    #[error("status not found")]
    StatusNotFound,
    #[error("a status with this name exists already")]
    StatusTaken,
    #[error("clients still have this status; give them another one first")]
    StatusInUse,
    #[error("group not found")]
    GroupNotFound,
    #[error("a group with this name exists already")]
    GroupNameTaken,
    #[error("at most 10000 clients per request")]
    TooMany,
    #[error("unknown client ids: {0:?}")]
    UnknownClients(Vec<u64>),
    #[error("the photo may be at most 1 MiB")]
    AvatarTooLarge,
    #[error("the photo must be a PNG, JPEG, WebP or GIF image")]
    AvatarType,
    #[error("the photo is not valid base64")]
    AvatarEncoding,
    #[error("this client has no uploaded photo")]
    NoAvatar,
    #[error("another import has been running for five minutes; try again when it is done")]
    ImportRunning,
    #[error("import not found")]
    ImportNotFound,
    #[error("this file is being imported now; wait until it is done")]
    ImportInProgress,
    #[error("a profile cannot be merged into itself")]
    MergeSelf,
    #[error("both profiles must be live (not deleted, not merged) to merge")]
    MergeNotLive,
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Wallet(#[from] WalletError),
    #[error(transparent)]
    Rewards(#[from] RewardError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<mysql_async::Error> for ClientError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl TxError for ClientError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Db(e) => e.is_retryable(),
            Self::Wallet(e) => e.is_retryable(),
            Self::Rewards(e) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> Self {
        let message = e.to_string();
        match e {
            ClientError::FirstNameRequired | ClientError::NameTooLong => {
                ApiError::field("first_name", message)
            }
            ClientError::StatusTooLong => ApiError::field("status", message),
            ClientError::Email => ApiError::field("email", message),
            ClientError::Phone => ApiError::field("phone", message),
            ClientError::Invalid { field, .. } => ApiError::field(field, message),
            ClientError::NotFound
            | ClientError::StatusNotFound
            | ClientError::GroupNotFound
            | ClientError::NoAvatar
            | ClientError::ImportNotFound => ApiError::NotFound,
            ClientError::LimitReached => ApiError::conflict("client_limit_reached", message),
            ClientError::WpUserTaken => ApiError::conflict("wp_user_taken", message),
            ClientError::NotDeleted => ApiError::conflict("not_deleted", message),
            ClientError::NotLive => ApiError::conflict("client_not_active", message),
            ClientError::StaffOnly(_) | ClientError::NotPermitted(_) => ApiError::Forbidden,
            ClientError::Blocked => ApiError::conflict("client_blocked", message),
            ClientError::StatusTaken => ApiError::conflict("status_taken", message),
            ClientError::StatusInUse => ApiError::conflict("status_in_use", message),
            ClientError::GroupNameTaken => ApiError::conflict("group_name_taken", message),
            ClientError::TooMany => ApiError::field("client_ids", message),
            ClientError::UnknownClients(_) => ApiError::Invalid {
                code: "unknown_clients",
                message: message.clone(),
                fields: BTreeMap::from([("client_ids".to_owned(), message)]),
            },
            ClientError::AvatarTooLarge | ClientError::AvatarType | ClientError::AvatarEncoding => {
                ApiError::field("image", message)
            }
            ClientError::MergeSelf => ApiError::field("other_id", message),
            ClientError::ImportRunning => ApiError::conflict("import_running", message),
            ClientError::ImportInProgress => ApiError::conflict("import_in_progress", message),
            ClientError::MergeNotLive => ApiError::conflict("client_not_active", message),
            ClientError::Auth(e) => e.into(),
            ClientError::Wallet(e) => e.into(),
            ClientError::Rewards(e) => e.into(),
            ClientError::Db(e) => e.into(),
            ClientError::Internal(e) => ApiError::Internal(e),
        }
    }
}
