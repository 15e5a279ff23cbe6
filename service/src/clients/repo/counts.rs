//! The triggers that keep `live_clients` of statuses and groups equal to the live clients they
//! have. Every write that changes a client's status or liveness, or a group's members, passes
//! through them in its own transaction (whatever wrote it: this service, an import, SQL by hand),
//! so the counts hold across replicas without any cache to invalidate.
use crate::db::{Db, DbError};
use mysql_async::prelude::Queryable;

/// Whether a client row is live, from its base columns (a generated column is not yet computed
/// when a BEFORE trigger runs, and reading the base columns does not depend on that).
const LIVE_OLD: &str = "(OLD.deleted_at IS NULL AND OLD.merged_into_id IS NULL)";
const LIVE_NEW: &str = "(NEW.deleted_at IS NULL AND NEW.merged_into_id IS NULL)";

fn triggers() -> Vec<(&'static str, String)> {
    let recount = "(SELECT COUNT(*) FROM {p}volixta_clients c \
                    WHERE c.live = 1 AND c.status = NEW.name LOCK IN SHARE MODE)";
    vec![
        (
            "volixta_clients_count_ins",
            format!(
                "AFTER INSERT ON {{p}}volixta_clients FOR EACH ROW \
                 UPDATE {{p}}volixta_client_statuses SET live_clients = live_clients + 1 \
                 WHERE {LIVE_NEW} AND name = NEW.status"
            ),
        ),
        (
            "volixta_clients_count_upd",
            format!(
                "AFTER UPDATE ON {{p}}volixta_clients FOR EACH ROW BEGIN \
                 IF {LIVE_OLD} <> {LIVE_NEW} OR NOT (OLD.status <=> NEW.status) THEN \
                   UPDATE {{p}}volixta_client_statuses SET live_clients = live_clients - 1 \
                   WHERE {LIVE_OLD} AND name = OLD.status; \
                   UPDATE {{p}}volixta_client_statuses SET live_clients = live_clients + 1 \
                   WHERE {LIVE_NEW} AND name = NEW.status; \
                 END IF; \
                 IF {LIVE_OLD} <> {LIVE_NEW} THEN \
                   UPDATE {{p}}volixta_client_groups g \
                   JOIN {{p}}volixta_client_group_members m ON m.group_id = g.id \
                   SET g.live_clients = g.live_clients + IF({LIVE_NEW}, 1, -1) \
                   WHERE m.client_id = NEW.id; \
                 END IF; \
                 END"
            ),
        ),
        (
            "volixta_clients_count_del",
            format!(
                "AFTER DELETE ON {{p}}volixta_clients FOR EACH ROW \
                 UPDATE {{p}}volixta_client_statuses SET live_clients = live_clients - 1 \
                 WHERE {LIVE_OLD} AND name = OLD.status"
            ),
        ),
        // A status row that appears (or takes another name) counts the clients that already
        // have that name; the locking read waits for writers of those clients to commit.
        (
            "volixta_client_statuses_count_ins",
            format!(
                "BEFORE INSERT ON {{p}}volixta_client_statuses FOR EACH ROW \
                 SET NEW.live_clients = {recount}"
            ),
        ),
        (
            "volixta_client_statuses_count_upd",
            format!(
                "BEFORE UPDATE ON {{p}}volixta_client_statuses FOR EACH ROW \
                 IF NOT (NEW.name <=> OLD.name) THEN SET NEW.live_clients = {recount}; END IF"
            ),
        ),
        (
            "volixta_client_groups_count_ins",
            "BEFORE INSERT ON {p}volixta_client_groups FOR EACH ROW SET NEW.live_clients = 0"
                .to_owned(),
        ),
        (
            "volixta_client_group_members_count_ins",
            "AFTER INSERT ON {p}volixta_client_group_members FOR EACH ROW \
             UPDATE {p}volixta_client_groups SET live_clients = live_clients + 1 \
             WHERE id = NEW.group_id AND EXISTS (SELECT 1 FROM {p}volixta_clients c \
             WHERE c.id = NEW.client_id AND c.live = 1)"
                .to_owned(),
        ),
        (
            "volixta_client_group_members_count_del",
            "AFTER DELETE ON {p}volixta_client_group_members FOR EACH ROW \
             UPDATE {p}volixta_client_groups SET live_clients = live_clients - 1 \
             WHERE id = OLD.group_id AND EXISTS (SELECT 1 FROM {p}volixta_clients c \
             WHERE c.id = OLD.client_id AND c.live = 1)"
                .to_owned(),
        ),
    ]
}

/// Creates the missing triggers, then (when any was missing) counts every status and group once
/// so the kept counts start right. Counting locks what it reads, so a write racing with it either
/// commits first and is counted, or waits and then adjusts the fresh count through its trigger.
pub async fn install_count_triggers<Q: Queryable>(conn: &mut Q, db: &Db) -> Result<(), DbError> {
    let mut created = false;
    for (name, body) in triggers() {
        let trigger = db.sql(&format!("{{p}}{name}"));
        let exists: Option<u8> = conn
            .exec_first(
                "SELECT 1 FROM information_schema.TRIGGERS \
                 WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = ?",
                (&trigger,),
            )
            .await?;
        if exists.is_none() {
            conn.query_drop(db.sql(&format!("CREATE TRIGGER {trigger} {body}")))
                .await?;
            created = true;
        }
    }
    // Rows still NULL were never counted (a start that stopped between the two steps).
    let which = if created {
        ""
    } else {
        " WHERE live_clients IS NULL"
    };
    conn.query_drop(db.sql(&format!(
        "UPDATE {{p}}volixta_client_statuses s SET s.live_clients = \
         (SELECT COUNT(*) FROM {{p}}volixta_clients c WHERE c.live = 1 AND c.status = s.name \
          LOCK IN SHARE MODE){which}"
    )))
    .await?;
    conn.query_drop(db.sql(&format!(
        "UPDATE {{p}}volixta_client_groups g SET g.live_clients = \
         (SELECT COUNT(*) FROM {{p}}volixta_client_group_members m \
          JOIN {{p}}volixta_clients c ON c.id = m.client_id \
          WHERE m.group_id = g.id AND c.live = 1 LOCK IN SHARE MODE){which}"
    )))
    .await?;
    Ok(())
}
