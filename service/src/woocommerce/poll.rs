//! The backstop: WooCommerce never retries a delivery, so orders the service still waits on are
//! asked about (`GET /wp-json/wc/v3/orders/{id}`) every `VOLIXTA_WC_POLL_SECONDS` at first, less
//! often as they age. One replica at a time polls: the one holding the `wc_poll` lease row.
use super::{
    Source, WcClient, WcError, WooError, domain, reconcile_deleted, reconcile_order, repo,
};
use crate::{AppState, db::Db, db::DbError};
use std::time::Duration;

pub const LEASE: &str = "wc_poll";

/// One round, if this holder gets the lease: returns how many orders were asked about.
pub async fn poll_once(
    db: &Db,
    wc: &WcClient,
    holder: &str,
    base_seconds: u64,
) -> Result<usize, WooError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let lease_seconds = base_seconds.saturating_mul(3).max(30);
    if !repo::take_lease(&mut conn, db, LEASE, holder, lease_seconds).await? {
        return Ok(0);
    }
    let due = repo::due_for_poll(&mut conn, db, 200).await?;
    drop(conn);
    let now = chrono::Utc::now().naive_utc();
    for &(id, order_id, created) in &due {
        let result = match wc.order(order_id).await {
            Ok(order) => reconcile_order(db, &order, Source::Poll).await.map(Some),
            Err(WcError::NotFound) => reconcile_deleted(db, order_id).await.map(Some),
            Err(e) => {
                tracing::warn!(order_id, error = %e, "polling a WooCommerce order failed");
                Ok(None)
            }
        };
        match result {
            Ok(Some((outcome, _))) if outcome != super::Outcome::Unchanged => {
                tracing::info!(
                    order_id,
                    outcome = outcome.as_str(),
                    "WooCommerce order polled"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(order_id, error = %e, "reconciling a polled order failed"),
        }
        let age = u64::try_from((now - created).num_seconds()).unwrap_or(0);
        let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
        repo::polled(&mut conn, db, id, domain::poll_interval(base_seconds, age)).await?;
    }
    Ok(due.len())
}

/// The worker `serve` starts when WooCommerce is configured; also purges the delivery log.
pub async fn run(state: AppState) {
    let Some(wc) = WcClient::from_config(&state.config) else {
        return;
    };
    let holder = uuid::Uuid::new_v4().simple().to_string();
    let base = state.config.wc_poll_seconds;
    let mut tick = tokio::time::interval(Duration::from_secs(base));
    let mut rounds: u64 = 0;
    loop {
        tick.tick().await;
        if let Err(e) = poll_once(&state.db, &wc, &holder, base).await {
            tracing::warn!(error = %e, "WooCommerce poll failed");
        }
        rounds += 1;
        if rounds % 60 == 1
            && let Ok(mut conn) = state.db.pool.get_conn().await
            && let Err(e) = repo::purge_deliveries_older_than_days(&mut conn, &state.db, 90).await
        {
            tracing::warn!(error = %e, "purging the WooCommerce delivery log failed");
        }
    }
}
