use crate::db::{Db, Tx};
use mysql_async::prelude::Queryable;

pub async fn put_avatar(
    tx: &mut Tx,
    db: &Db,
    client_id: u64,
    content_type: &str,
    image: &[u8],
    sha256: &str,
) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_client_avatars (client_id, content_type, image, sha256) \
             VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE content_type = VALUES(content_type), \
             image = VALUES(image), sha256 = VALUES(sha256), uploaded_at = UTC_TIMESTAMP(6)",
        ),
        (client_id, content_type, image, sha256),
    )
    .await?;
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_clients SET avatar = 'upload' WHERE id = ?"),
        (client_id,),
    )
    .await
}

pub async fn delete_avatar(tx: &mut Tx, db: &Db, client_id: u64) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_client_avatars WHERE client_id = ?"),
        (client_id,),
    )
    .await
}

/// The sniffed content type and the bytes.
pub async fn get_avatar<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> Result<Option<(String, Vec<u8>, String)>, mysql_async::Error> {
    conn.exec_first(
        db.sql(
            "SELECT content_type, image, sha256 FROM {p}volixta_client_avatars WHERE client_id = ?",
        ),
        (client_id,),
    )
    .await
}

pub async fn avatar_sha<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> Result<Option<String>, mysql_async::Error> {
    conn.exec_first(
        db.sql("SELECT sha256 FROM {p}volixta_client_avatars WHERE client_id = ?"),
        (client_id,),
    )
    .await
}
/// Moves an uploaded photo to another client that has none (a merge).
pub async fn move_avatar(
    tx: &mut Tx,
    db: &Db,
    from: u64,
    to: u64,
) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_client_avatars SET client_id = ? WHERE client_id = ?"),
        (to, from),
    )
    .await
}
