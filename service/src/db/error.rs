//! Database errors, classified once: a domain asks "which unique index refused the row?" or
//! "may this transaction be run again?", never which MariaDB error number came back.
use mysql_async::Error;

const DUPLICATE_ENTRY: u16 = 1062;
const LOCK_WAIT_TIMEOUT: u16 = 1205;
/// Also what a Galera cluster answers when certification at commit fails.
const DEADLOCK: u16 = 1213;
/// MariaDB 11.6+ with `innodb_snapshot_isolation`: a row read earlier changed since; the
/// server's own advice, like for a deadlock, is to restart the transaction.
const RECORD_CHANGED: u16 = 1020;
/// Creating a trigger or routine without the privilege for it.
const NO_PRIVILEGE: [u16; 4] = [1044, 1142, 1227, 1419];

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique index refused the row; `key` names the index (`uniq_email`, `PRIMARY`), so a
    /// domain can tell which rule was broken.
    #[error("duplicate entry for key `{key}`")]
    DuplicateKey { key: String, source: Error },
    /// The transaction lost a lock conflict (deadlock, lock wait timeout, Galera certification)
    /// and was rolled back; running it again from the start is safe.
    #[error(transparent)]
    Retryable(Error),
    #[error(transparent)]
    Other(Error),
}

impl From<Error> for DbError {
    fn from(e: Error) -> Self {
        match &e {
            Error::Server(s) if s.code == DUPLICATE_ENTRY => Self::DuplicateKey {
                key: duplicate_key_name(&s.message)
                    .unwrap_or_default()
                    .to_owned(),
                source: e,
            },
            Error::Server(s) if [DEADLOCK, LOCK_WAIT_TIMEOUT, RECORD_CHANGED].contains(&s.code) => {
                Self::Retryable(e)
            }
            _ => Self::Other(e),
        }
    }
}

impl DbError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable(_))
    }

    /// The index that refused a duplicate row, if that is what happened.
    pub fn duplicate_key(&self) -> Option<&str> {
        match self {
            Self::DuplicateKey { key, .. } => Some(key),
            _ => None,
        }
    }

    pub fn is_duplicate_key(&self) -> bool {
        matches!(self, Self::DuplicateKey { .. })
    }

    /// The database user may not create triggers (or routines).
    pub fn is_missing_privilege(&self) -> bool {
        matches!(self, Self::Other(Error::Server(s)) if NO_PRIVILEGE.contains(&s.code))
    }

    pub fn into_inner(self) -> Error {
        match self {
            Self::DuplicateKey { source, .. } => source,
            Self::Retryable(e) | Self::Other(e) => e,
        }
    }
}

/// Whether a driver error, however it was carried, is a lock conflict worth a retry.
pub fn is_retryable(e: &Error) -> bool {
    matches!(e, Error::Server(s) if [DEADLOCK, LOCK_WAIT_TIMEOUT, RECORD_CHANGED].contains(&s.code))
}

/// MariaDB: `Duplicate entry 'a@b' for key 'uniq_email'`; MySQL 8 qualifies the index with
/// its table (`'wp_volixta_clients.uniq_email'`). The entry itself may hold quotes, so the
/// index is read from the end.
fn duplicate_key_name(message: &str) -> Option<&str> {
    let start = message.rfind("for key '")? + "for key '".len();
    let name = message[start..].strip_suffix('\'')?;
    Some(name.rsplit('.').next().unwrap_or(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mysql_async::ServerError;

    fn server(code: u16, message: &str) -> Error {
        Error::Server(ServerError {
            code,
            message: message.to_owned(),
            state: "23000".to_owned(),
        })
    }

    #[test]
    fn a_duplicate_names_its_index() {
        let e = DbError::from(server(
            1062,
            "Duplicate entry 'ann@example.com' for key 'uniq_email'",
        ));
        assert_eq!(e.duplicate_key(), Some("uniq_email"));
        let mysql8 = DbError::from(server(
            1062,
            "Duplicate entry 'x' for key 'wp_volixta_clients.uniq_wp_user'",
        ));
        assert_eq!(mysql8.duplicate_key(), Some("uniq_wp_user"));
        let quoted = DbError::from(server(
            1062,
            "Duplicate entry 'it's for key 'a'' for key 'PRIMARY'",
        ));
        assert_eq!(quoted.duplicate_key(), Some("PRIMARY"));
    }

    #[test]
    fn lock_conflicts_are_retryable_and_nothing_else() {
        for code in [1213, 1205, 1020] {
            assert!(DbError::from(server(code, "try restarting transaction")).is_retryable());
        }
        for code in [1062, 1146, 1064] {
            assert!(!DbError::from(server(code, "x")).is_retryable());
        }
        assert!(DbError::from(server(1142, "TRIGGER command denied")).is_missing_privilege());
    }
}
