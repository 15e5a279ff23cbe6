#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("VOLIXTA_SMTP_URL is not a usable SMTP URL: {0}")]
    SmtpUrl(String),
    #[error("VOLIXTA_MAIL_FROM={0:?} is not an address like Volixta <no-reply@example.com>")]
    Sender(String),
}
