use crate::error::ApiError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
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
    #[error("client not found")]
    NotFound,
    #[error("the client limit of this site is reached")]
    LimitReached,
    #[error("this WordPress user is already linked to another client")]
    WpUserTaken,
    #[error("the client is not deleted")]
    NotDeleted,
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
            ClientError::NotFound => ApiError::NotFound,
            ClientError::LimitReached => ApiError::conflict("client_limit_reached", message),
            ClientError::WpUserTaken => ApiError::conflict("wp_user_taken", message),
            ClientError::NotDeleted => ApiError::conflict("not_deleted", message),
        }
    }
}
