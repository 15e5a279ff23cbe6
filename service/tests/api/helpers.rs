//! `TestApp::spawn()`: a fresh database `t_<time>_<id>` on the real MariaDB, migrated, the real
//! router on port 0, dropped again when the test ends. Just before the drop, every client's
//! wallet ledger in it is verified (`wallet::verify_ledgers`); a broken one fails the test.
use mysql_async::prelude::Queryable;
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use volixta_service::{
    AppState, Config,
    auth::{SignedRequest, sign},
    db::{self, Db},
    migrate, wallet,
};

pub const SECRET: &str = "test-shared-secret";
pub const PREFIX: &str = "wp_";
pub const MANAGER: &str = "manager:1";
pub const ADMIN: &str = "admin:1";

pub fn server_url() -> String {
    std::env::var("VOLIXTA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

pub struct TestApp {
    pub address: String,
    /// The MariaDB server (without a database) this app's database lives on.
    pub server: String,
    pub db: Db,
    pub db_name: String,
    pub http: reqwest::Client,
    /// The shared secret this server checks signatures with; requests are signed with it.
    pub secret: String,
    owns_database: bool,
    verify_ledgers_on_drop: bool,
}

/// Running outbox workers, stopped (as if their replica died) when dropped.
pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        self.0.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

pub struct Response {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub content_type: String,
    /// The body as sent (a PDF is no text).
    pub bytes: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
}

impl Response {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// What a test may change in an otherwise correct signed request.
#[derive(Default, Clone)]
pub struct Tamper {
    pub secret: Option<String>,
    pub timestamp: Option<i64>,
    pub nonce: Option<String>,
    /// Signed with these but sent with the real ones.
    pub signed_path: Option<String>,
    pub signed_actor: Option<String>,
    pub signed_body: Option<Vec<u8>>,
    pub omit_signature: bool,
}

static SWEPT: AtomicBool = AtomicBool::new(false);

/// The nodes of a Galera cluster to run the cluster tests on (`VOLIXTA_CLUSTER_URLS`, server URLs
/// separated by commas; `make test-cluster` starts a three-node cluster and sets it).
pub fn cluster_urls() -> Vec<String> {
    std::env::var("VOLIXTA_CLUSTER_URLS")
        .expect("VOLIXTA_CLUSTER_URLS names the cluster's nodes (make test-cluster)")
        .split(',')
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .collect()
}

async fn admin_conn(server: &str) -> mysql_async::Conn {
    mysql_async::Conn::from_url(server)
        .await
        .unwrap_or_else(|e| panic!("MariaDB reachable at {server}: {e}"))
}

/// Drops test databases left by killed runs; only old ones, so parallel test processes are safe.
async fn sweep_stale_databases(conn: &mut mysql_async::Conn) {
    let names: Vec<String> = conn
        .query("SHOW DATABASES LIKE 't\\_%'")
        .await
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    for name in names {
        let created = name.split('_').nth(1).and_then(|t| t.parse::<i64>().ok());
        if created.is_some_and(|t| now - t > 3 * 3600) {
            let _ = conn
                .query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
                .await;
        }
    }
}

pub fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_on(&server_url()).await
    }

    /// A fresh migrated database on the given server (a cluster node), served by one replica.
    pub async fn spawn_on(server: &str) -> Self {
        let mut app = Self::create_database_on(server).await;
        migrate::run(&app.db).await.expect("migrations apply");
        app.verify_ledgers_on_drop = true;
        app
    }

    /// A fresh, empty (not migrated) database on `server`, served by one replica that owns it.
    pub async fn create_database_on(server: &str) -> Self {
        let mut conn = admin_conn(server).await;
        if !SWEPT.swap(true, Ordering::SeqCst) {
            sweep_stale_databases(&mut conn).await;
        }
        let db_name = format!("t_{}_{}", chrono::Utc::now().timestamp(), &nonce()[..12]);
        conn.query_drop(format!(
            "CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
        .await
        .expect("create test database");
        drop(conn.disconnect().await);
        let mut app = Self::serve(server, &db_name).await;
        app.owns_database = true;
        app
    }

    /// For a test that breaks a ledger on purpose.
    pub fn skip_ledger_check_on_drop(&mut self) {
        self.verify_ledgers_on_drop = false;
    }

    /// Another replica: a second process-like server with its own pool on the same database.
    pub async fn replica(&self) -> Self {
        Self::serve(&self.server, &self.db_name).await
    }

    /// A replica on the same database reached through another server (another cluster node).
    pub async fn replica_on(&self, server: &str) -> Self {
        Self::serve(server, &self.db_name).await
    }

    /// A replica on the same database started with another configuration (a data key, another
    /// shared secret, another table prefix…).
    pub async fn replica_with(&self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = Self::config(&self.server, &self.db_name);
        change(&mut config);
        Self::serve_config(&self.server, &self.db_name, config).await
    }

    /// The configuration this app's server runs with (for a bench building its own state).
    #[allow(dead_code)] // only the benches call it
    pub fn app_config(&self) -> Config {
        Self::config(&self.server, &self.db_name)
    }

    fn config(server: &str, db_name: &str) -> Config {
        Config::for_database(format!("{server}/{db_name}"), PREFIX, SECRET)
    }

    pub fn database_url(db_name: &str) -> String {
        format!("{}/{db_name}", server_url())
    }

    async fn serve(server: &str, db_name: &str) -> Self {
        Self::serve_config(server, db_name, Self::config(server, db_name)).await
    }

    async fn serve_config(server: &str, db_name: &str, config: Config) -> Self {
        let secret = config.shared_secret.expose_secret().to_owned();
        let db = db::connect(&config).await.expect("connect");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("addr"));
        let state = AppState::new(config, db.clone()).expect("state");
        tokio::spawn(async move { axum::serve(listener, volixta_service::app(state)).await });
        Self {
            address,
            server: server.to_owned(),
            db,
            db_name: db_name.to_owned(),
            http: reqwest::Client::new(),
            secret,
            owns_database: false,
            verify_ledgers_on_drop: false,
        }
    }

    /// Outbox workers of another replica on this database, configured like the server plus
    /// `change` (an SMTP URL, allowed webhook hosts, how many workers); they stop when the
    /// returned value is dropped.
    pub async fn outbox_workers(&self, change: impl FnOnce(&mut Config)) -> Workers {
        let mut config = Self::config(&self.server, &self.db_name);
        change(&mut config);
        let db = db::connect(&config).await.expect("connect");
        let state = AppState::new(config, db).expect("state");
        Workers(volixta_service::serve::start_outbox(&state).expect("outbox workers"))
    }

    /// A handle on the same server and database that does not drop the database.
    pub fn handle(&self) -> Self {
        Self {
            address: self.address.clone(),
            server: self.server.clone(),
            db: self.db.clone(),
            db_name: self.db_name.clone(),
            http: self.http.clone(),
            secret: self.secret.clone(),
            owns_database: false,
            verify_ledgers_on_drop: false,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        actor: &str,
        body: Option<&Value>,
    ) -> Response {
        self.request_with(
            method,
            path,
            actor,
            body.map(|b| serde_json::to_vec(b).expect("json")),
            &[],
            Tamper::default(),
        )
        .await
    }

    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        actor: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
        tamper: Tamper,
    ) -> Response {
        let body = body.unwrap_or_default();
        let timestamp = tamper
            .timestamp
            .unwrap_or_else(|| chrono::Utc::now().timestamp())
            .to_string();
        let nonce = tamper.nonce.clone().unwrap_or_else(nonce);
        let signed_path = tamper.signed_path.as_deref().unwrap_or(path);
        let signed_actor = tamper.signed_actor.as_deref().unwrap_or(actor);
        let signed_body = tamper.signed_body.as_deref().unwrap_or(&body);
        let secret = tamper.secret.as_deref().unwrap_or(&self.secret);
        let signature = sign(
            secret.as_bytes(),
            &SignedRequest {
                method: method.as_str(),
                path_and_query: signed_path,
                timestamp: &timestamp,
                nonce: &nonce,
                actor: signed_actor,
                body: signed_body,
            },
        );
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.address))
            .header("X-Volixta-Actor", actor)
            .header("X-Volixta-Timestamp", &timestamp)
            .header("X-Volixta-Nonce", &nonce)
            .header("Content-Type", "application/json");
        if !tamper.omit_signature {
            req = req.header("X-Volixta-Signature", signature);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.body(body).send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = res.bytes().await.expect("body").to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Response {
            status,
            body,
            text,
            content_type,
            bytes,
            headers,
        }
    }

    pub async fn get(&self, path: &str, actor: &str) -> Response {
        self.request(Method::GET, path, actor, None).await
    }

    pub async fn post(&self, path: &str, actor: &str, body: &Value) -> Response {
        self.request(Method::POST, path, actor, Some(body)).await
    }

    pub async fn patch(&self, path: &str, actor: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, actor, Some(body)).await
    }

    pub async fn delete(&self, path: &str, actor: &str) -> Response {
        self.request(Method::DELETE, path, actor, None).await
    }

    /// Creates a client as a manager; panics unless 201.
    pub async fn create_client(&self, body: Value) -> Value {
        let res = self.post("/v1/clients", MANAGER, &body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        res.body
    }

    pub async fn scalar<T: mysql_async::prelude::FromValue + Send + 'static>(
        &self,
        sql: &str,
    ) -> T {
        let mut conn = self.db.pool.get_conn().await.expect("conn");
        let v: Option<T> = conn.query_first(self.db.sql(sql)).await.expect("query");
        v.expect("one row")
    }

    /// The first column of every row.
    pub async fn rows<T: mysql_async::prelude::FromValue + Send + 'static>(
        &self,
        sql: &str,
    ) -> Vec<T> {
        let mut conn = self.db.pool.get_conn().await.expect("conn");
        conn.query(self.db.sql(sql)).await.expect("query")
    }

    /// Runs a statement straight on the database (to set up a state no endpoint makes).
    pub async fn exec(&self, sql: &str) {
        let mut conn = self.db.pool.get_conn().await.expect("conn");
        conn.query_drop(self.db.sql(sql)).await.expect("statement");
    }
}

/// A panicking test can leave a transaction open on a connection its runtime never rolls back;
/// its locks would make `DROP DATABASE` wait forever, so that database's sessions go first.
async fn drop_database(server: &str, name: &str) {
    let mut conn = admin_conn(server).await;
    let _ = conn.query_drop("SET SESSION lock_wait_timeout = 30").await;
    let sessions: Vec<u64> = conn
        .exec(
            "SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()",
            (name,),
        )
        .await
        .unwrap_or_default();
    for id in sessions {
        let _ = conn.query_drop(format!("KILL {id}")).await;
    }
    let _ = conn
        .query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
        .await;
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.owns_database {
            return;
        }
        let name = self.db_name.clone();
        let server = self.server.clone();
        // A test that already failed reports its own failure, not the ledger's.
        let check = self.verify_ledgers_on_drop && !std::thread::panicking();
        // Drop runs inside the test's runtime; a thread with its own runtime may block on the drop.
        let broken = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let broken = if check {
                    Some(verify_ledgers(&server, &name).await)
                } else {
                    None
                };
                drop_database(&server, &name).await;
                broken
            })
        })
        .join();
        match broken {
            Ok(Some(Ok(broken))) if broken.is_empty() => {}
            Ok(Some(Ok(broken))) => panic!(
                "verify-ledgers found broken wallets in {}:\n{}",
                self.db_name,
                broken
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            Ok(Some(Err(e))) => panic!("verify-ledgers could not run on {}: {e}", self.db_name),
            Ok(None) | Err(_) => {}
        }
    }
}

async fn verify_ledgers(server: &str, db_name: &str) -> Result<Vec<wallet::BrokenLedger>, String> {
    let config = TestApp::config(server, db_name);
    let db = db::connect(&config).await.map_err(|e| e.to_string())?;
    let result = wallet::verify_ledgers(&db).await.map_err(|e| e.to_string());
    let _ = db.pool.disconnect().await;
    result
}
