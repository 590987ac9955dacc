//! [`Conn`] on PostgreSQL: `tokio-postgres` clients from a `deadpool`
//! pool, driven by a small runtime of the store's own so the store keeps
//! its blocking interface wherever it is called from (the writer thread, a
//! blocking task, a CLI command).

use std::borrow::Cow;
use std::future::Future;
use std::sync::{Arc, Mutex};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::{Conn, Dialect, Row, Value, numbered_placeholders};
use crate::store::StoreError;

/// Whether `url` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The store's runtime, shut down without waiting when the last handle
/// goes (dropping a runtime inside another runtime's task would panic).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl OwnRuntime {
    fn get(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("present until dropped")
    }
}

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A PostgreSQL database: its pool and the runtime that drives it.
#[derive(Clone)]
pub struct PgDb {
    runtime: Arc<OwnRuntime>,
    pool: Pool,
    url: String,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb")
            .field("url", &redacted(&self.url))
            .finish()
    }
}

/// The URL without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// An error with its causes (a TLS handshake's "invalid peer certificate:
/// UnknownIssuer" is a cause, not the error's own text).
fn pg_error(err: impl std::error::Error) -> StoreError {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    StoreError::Postgres(text)
}

/// A query's failure with the server's own words (code, message, detail).
fn query_error(err: tokio_postgres::Error) -> StoreError {
    match err.as_db_error() {
        Some(db) => StoreError::Postgres(format!(
            "{} ({}){}",
            db.message(),
            db.code().code(),
            db.detail().map(|d| format!(": {d}")).unwrap_or_default()
        )),
        None => pg_error(err),
    }
}

impl PgDb {
    /// Parse `url` and make a pool of at most `max_connections`; nothing
    /// connects until the first query.
    pub fn connect(url: &str, max_connections: usize) -> Result<PgDb, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Open {
            path: redacted(url),
            detail: format!("not a PostgreSQL URL: {e}"),
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cuedeck-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Open {
                path: redacted(url),
                detail: e.to_string(),
            })?;
        let manager = Manager::from_config(
            config,
            tls()?,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        // A connection that cannot be had in time is an error, never a
        // wait without end.
        let pool = Pool::builder(manager)
            .max_size(max_connections.max(2))
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Open {
                path: redacted(url),
                detail: e.to_string(),
            })?;
        Ok(PgDb {
            runtime: Arc::new(OwnRuntime(Some(runtime))),
            pool,
            url: url.to_string(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection from the pool (back to the pool when dropped).
    pub fn conn(&self) -> Result<PgConn, StoreError> {
        let pool = self.pool.clone();
        let client = self.run(async move { pool.get().await.map_err(pg_error) })?;
        Ok(PgConn {
            runtime: self.runtime.clone(),
            client: Arc::new(client),
            held: Mutex::new(None),
        })
    }

    /// Run `future` on the store's runtime and wait for it, from any thread.
    fn run<T: Send + 'static>(
        &self,
        future: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        block_on(self.runtime.get(), future)
    }
}

/// Spawn on the store's runtime and wait on a plain channel: safe from a
/// thread of another runtime, where `block_on` would panic.
fn block_on<T: Send + 'static>(
    runtime: &tokio::runtime::Runtime,
    future: impl Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    let (done, result) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = done.send(future.await);
    });
    result
        .recv()
        .unwrap_or_else(|_| Err(StoreError::Postgres("the store's runtime stopped".into())))
}

/// TLS through rustls with the system's roots (and `SSL_CERT_FILE`), used
/// when the URL's `sslmode` asks for it.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Postgres(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// One pooled client. Transactions are `BEGIN`/`COMMIT` statements on it.
pub struct PgConn {
    runtime: Arc<OwnRuntime>,
    client: Arc<deadpool_postgres::Object>,
    /// Statements held back while [`Conn::hold_writes`] is on.
    held: Mutex<Option<Vec<Held>>>,
}

/// A statement waiting to be sent with others.
struct Held {
    sql: String,
    params: Vec<Value<'static>>,
}

impl PgConn {
    /// Prepare `sql` (cached per connection) and hand it to `run` with the
    /// parameters, on the store's runtime.
    fn with_statement<T, F, Fut>(
        &self,
        sql: &str,
        params: &[Value<'_>],
        run: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(
                Arc<deadpool_postgres::Object>,
                tokio_postgres::Statement,
                Vec<Value<'static>>,
            ) -> Fut
            + Send
            + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send,
    {
        let client = self.client.clone();
        let sql = numbered_placeholders(sql).into_owned();
        let params = owned(params);
        block_on(self.runtime.get(), async move {
            let stmt = client.prepare_cached(&sql).await.map_err(query_error)?;
            run(client, stmt, params).await
        })
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Option<Vec<Held>>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The held statements, taken to be sent.
    fn take_held(&self) -> Vec<Held> {
        self.held().as_mut().map(std::mem::take).unwrap_or_default()
    }
}

/// Send `held` in order without waiting between them (tokio-postgres
/// pipelines requests polled together), then the prepared `query` with its
/// parameters when given, in the same round trip; the query's rows.
async fn send_held(
    client: &deadpool_postgres::Object,
    held: Vec<Held>,
    query: Option<(&tokio_postgres::Statement, &[Value<'static>])>,
) -> Result<Vec<tokio_postgres::Row>, StoreError> {
    // Prepared first, one by one (almost always from the cache), so that
    // the requests below are sent in the order they were made.
    let mut statements = Vec::with_capacity(held.len());
    for statement in &held {
        statements.push(
            client
                .prepare_cached(&statement.sql)
                .await
                .map_err(query_error)?,
        );
    }
    let held_params: Vec<_> = held.iter().map(|h| bound(&h.params)).collect();
    let executions = statements
        .iter()
        .zip(&held_params)
        .map(|(statement, params)| client.execute(statement, params));
    let executions = futures_util::future::try_join_all(executions);
    let rows = async {
        match query {
            Some((statement, params)) => client.query(statement, &bound(params)).await,
            None => Ok(Vec::new()),
        }
    };
    // Polled in this order, so the held statements go first; when one
    // fails the transaction is aborted, and its error is the one to tell.
    let (executed, rows) = futures_util::future::join(executions, rows).await;
    executed.map_err(query_error)?;
    rows.map_err(query_error)
}

fn bound<'a>(params: &'a [Value<'static>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn owned(params: &[Value<'_>]) -> Vec<Value<'static>> {
    params.iter().cloned().map(Value::into_owned).collect()
}

impl Conn for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute_values(&self, sql: &str, params: &[Value<'_>]) -> Result<usize, StoreError> {
        if let Some(held) = self.held().as_mut() {
            let sql = numbered_placeholders(sql).into_owned();
            held.push(Held {
                sql,
                params: owned(params),
            });
            return Ok(0);
        }
        self.with_statement(sql, params, |client, stmt, params| async move {
            let n = client
                .execute(&stmt, &bound(&params))
                .await
                .map_err(query_error)?;
            Ok(n as usize)
        })
    }

    fn query_values(&self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError> {
        let held = self.take_held();
        self.with_statement(sql, params, |client, stmt, params| async move {
            let rows = send_held(&client, held, Some((&stmt, &params))).await?;
            rows.iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| row.try_get::<_, Value<'static>>(i).map_err(query_error))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Row)
                })
                .collect()
        })
    }

    fn batch(&self, sql: &str) -> Result<(), StoreError> {
        let client = self.client.clone();
        let sql = sql.to_string();
        let held = self.take_held();
        block_on(self.runtime.get(), async move {
            send_held(&client, held, None).await?;
            client.batch_execute(&sql).await.map_err(query_error)
        })
    }

    fn hold_writes(&self, on: bool) {
        *self.held() = on.then(Vec::new);
    }

    fn flush(&self) -> Result<(), StoreError> {
        let client = self.client.clone();
        let held = self.take_held();
        block_on(self.runtime.get(), async move {
            send_held(&client, held, None).await.map(drop)
        })
    }
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                _ => i.to_string().to_sql(ty, out),
            },
            Value::Real(r) => match *ty {
                Type::FLOAT4 => (*r as f32).to_sql(ty, out),
                _ => r.to_sql(ty, out),
            },
            Value::Text(t) => t.as_ref().to_sql(ty, out),
            Value::Blob(b) => b.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value<'static> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::BYTEA => Value::Blob(Cow::Owned(Vec::<u8>::from_sql(ty, raw)?)),
            _ => Value::Text(Cow::Owned(String::from_sql(ty, raw)?)),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8
                | Type::INT4
                | Type::INT2
                | Type::BOOL
                | Type::FLOAT8
                | Type::FLOAT4
                | Type::BYTEA
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::UNKNOWN
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_postgres() {
        assert!(is_postgres_url("postgres://u@h/db"));
        assert!(is_postgres_url("postgresql://h/db"));
        assert!(!is_postgres_url("./cuedeck.db"));
        assert!(!is_postgres_url("postgres.db"));
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redacted("postgres://cue:secret@db:5432/cuedeck"),
            "postgres://cue:***@db:5432/cuedeck"
        );
        assert_eq!(redacted("postgres://cue@db/x"), "postgres://cue@db/x");
    }
}
