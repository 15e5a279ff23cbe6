use crate::{
    AppState, Config, app, auth, booking_form,
    config::DataKey,
    db::Db,
    gift_codes, idempotency,
    notifications::{self, EmailCourier, Mailer},
    outbox,
    webhooks::WebhookCourier,
    woocommerce,
};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Serves until SIGTERM or Ctrl-C, letting in-flight requests finish.
pub async fn run(config: Config, db: Db) -> anyhow::Result<()> {
    if config.data_key.is_none() {
        tracing::warn!(
            "VOLIXTA_DATA_KEY is not set: gift codes are sealed with a key derived from \
             VOLIXTA_SHARED_SECRET, which WordPress stores too; set a key of the service's own \
             (openssl rand -hex 32)"
        );
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(address = %listener.local_addr()?, "volixta-service listening");
    let keys = code_keys(&config);
    let state = AppState::new(config, db.clone())?;
    tokio::spawn(reseal_gift_codes(db.clone(), keys));
    let occasions = notifications::occasions::spawn(db.clone(), code_keys(&state.config));
    let woocommerce_poll = tokio::spawn(woocommerce::poll::run(state.clone()));
    let housekeeping = tokio::spawn(housekeeping(db));
    let workers = start_outbox(&state)?;
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    housekeeping.abort();
    occasions.abort();
    woocommerce_poll.abort();
    // A message being sent right now keeps its lease and is tried again once it ends.
    workers.iter().for_each(tokio::task::JoinHandle::abort);
    tracing::info!("volixta-service stopped");
    Ok(())
}

/// Who delivers the outbox's messages from this replica: SMTP for e-mails, HTTP for webhooks.
pub fn couriers(state: &AppState) -> anyhow::Result<outbox::Couriers> {
    let config = &state.config;
    let keys = code_keys(config);
    Ok(outbox::Couriers {
        email: Arc::new(EmailCourier {
            db: state.db.clone(),
            mailer: Mailer::new(&config.smtp_url, &config.mail_from)?,
            templates: Arc::clone(&state.templates),
            keys,
            unsubscribe: notifications::marketing::UnsubscribeKey::of(config),
        }),
        webhook: Arc::new(WebhookCourier {
            db: state.db.clone(),
            allowed_hosts: config.webhook_allowed_hosts.clone(),
        }),
    })
}

/// The keys gift codes are sealed and found with on this replica.
pub fn code_keys(config: &Config) -> gift_codes::CodeKeys {
    gift_codes::CodeKeys::new(
        config.data_key.as_ref().map(DataKey::expose),
        config.shared_secret.expose_secret().as_bytes(),
    )
}

/// Starts this replica's outbox workers (`VOLIXTA_OUTBOX_WORKERS`).
pub fn start_outbox(state: &AppState) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let couriers = couriers(state)?;
    Ok(outbox::spawn(
        state.db.clone(),
        couriers,
        state.config.outbox_workers,
    ))
}

/// Codes sealed before a data key was set move to it, in the background: until then they are
/// found and opened with the shared secret's keys.
async fn reseal_gift_codes(db: Db, keys: gift_codes::CodeKeys) {
    match gift_codes::reseal_with_data_key(&db, &keys).await {
        Ok((0, 0)) => {}
        Ok((moved, unreadable)) => tracing::info!(
            moved,
            unreadable,
            "gift codes sealed with the shared secret moved to VOLIXTA_DATA_KEY \
             (unreadable ones were sealed under an earlier shared secret)"
        ),
        Err(e) => tracing::warn!(error = %e, "moving gift codes to VOLIXTA_DATA_KEY failed"),
    }
}

/// Expired nonces, old idempotency answers and stale wrong-code and booking form counts are purged in small batches; every replica
/// may run this, the deletes are idempotent.
async fn housekeeping(db: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = auth::purge_expired_nonces(&db).await {
            tracing::warn!(error = %e, "nonce purge failed");
        }
        if let Err(e) = idempotency::purge_older_than_days(&db, 7).await {
            tracing::warn!(error = %e, "idempotency purge failed");
        }
        if let Err(e) = gift_codes::purge_stale_attempts(&db).await {
            tracing::warn!(error = %e, "gift code attempts purge failed");
        }
        if let Err(e) = booking_form::purge_stale_attempts(&db).await {
            tracing::warn!(error = %e, "booking form attempts purge failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
