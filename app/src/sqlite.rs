//! The embedded store: one SQLite file, shared by the processes of one machine.
//!
//! The file is created (mode 0600 on unix: only its owner reads the tokens) and migrated on
//! first use; it is kept in WAL mode, so reads go on while a refresh holds the write lock.
//! A refresh runs in a `BEGIN IMMEDIATE` transaction on a connection of its own: SQLite lets
//! one writer in at a time across all processes, and others wait up to the lock timeout.
//! A portal's shared request bucket ([`crate::SharedBucket`]) is counted in a `BEGIN IMMEDIATE`
//! transaction too, on one more connection of the store's, with a busy timeout of
//! [`BUCKET_LOCK_TIMEOUT`]; times are the machine's wall clock.

use crate::bucket::{level_from, take, wall_clock, BUCKET_LOCK_TIMEOUT};
use crate::portal::{from_unix, join_scopes, split_scopes, to_unix, Portal, Status};
use crate::sql;
use crate::store::{
    plan, settle, BoxFuture, Locked, Plan, RefreshError, RenewFn, Settle, Store, StoreError,
};
use bitrix_api::install::Installation;
use bitrix_api::oauth::AppStatus;
use bitrix_api::{RateLimit, Secret, Tokens};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The default bound of a wait for the database's write lock.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The registry in one SQLite file. Cheap to clone; clones share one connection for ordinary
/// operations (each refresh opens its own) and one for the request buckets.
#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    lock_timeout: Duration,
    conn: Arc<Mutex<Connection>>,
    /// The request buckets' connection, opened on first use.
    buckets: Arc<Mutex<Option<Connection>>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("lock_timeout", &self.lock_timeout)
            .finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::LockTimeout
        }
        _ => StoreError::Database(e.to_string()),
    }
}

/// Creates the file readable by its owner only, unless it exists.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| StoreError::Database(format!("cannot create {}: {e}", path.display())))
}

/// Opens a connection with the store's settings.
fn connect(path: &Path, lock_timeout: Duration) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(lock_timeout).map_err(db)?;
    // WAL: readers never wait for the writer. Its -wal and -shm files get the database's mode.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db)?;
    Ok(conn)
}

/// Applies the migrations the file has not seen, under the write lock.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let version: usize = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    for (i, step) in sql::MIGRATIONS.iter().enumerate().skip(version) {
        tx.execute_batch(step).map_err(db)?;
        tx.pragma_update(None, "user_version", i + 1).map_err(db)?;
    }
    tx.commit().map_err(db)
}

fn portal_row(r: &Row<'_>) -> rusqlite::Result<Portal> {
    let reason: Option<String> = r.get(9)?;
    let mut i = Installation::new(
        r.get::<_, String>(0)?,
        r.get::<_, String>(1)?,
        r.get::<_, String>(2)?,
        Tokens::new(r.get::<_, String>(4)?, r.get::<_, String>(5)?),
    );
    i.server_endpoint = r.get::<_, Option<String>>(3)?.filter(|s| !s.is_empty());
    i.expires_at = r.get(6)?;
    i.application_token = r.get::<_, Option<String>>(7)?.map(Secret::new);
    i.scopes = split_scopes(&r.get::<_, String>(8)?);
    i.status = r
        .get::<_, Option<String>>(10)?
        .map(|s| AppStatus::from(s.as_str()));
    i.user_id = r.get(11)?;
    i.language = r.get(12)?;
    Ok(Portal {
        installation: i,
        status: match reason {
            None => Status::Active,
            Some(reason) => Status::NeedsReinstall { reason },
        },
        values: BTreeMap::new(),
    })
}

fn values(conn: &Connection, member_id: &str) -> Result<BTreeMap<String, String>, StoreError> {
    let mut st = conn.prepare_cached(sql::VALUES).map_err(db)?;
    let rows = st
        .query_map([member_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

fn now_unix() -> i64 {
    to_unix(SystemTime::now())
}

impl SqliteStore {
    /// Opens the registry at `path`, creating and migrating it on first use.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, DEFAULT_LOCK_TIMEOUT).await
    }

    /// As [`SqliteStore::open`], with another bound for lock waits (a busy timeout).
    pub async fn open_with(
        path: impl AsRef<Path>,
        lock_timeout: Duration,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let p = path.clone();
        let conn = blocking(move || {
            create_private(&p)?;
            let mut conn = connect(&p, lock_timeout)?;
            migrate(&mut conn)?;
            Ok(conn)
        })
        .await?;
        Ok(SqliteStore {
            path,
            lock_timeout,
            conn: Arc::new(Mutex::new(conn)),
            buckets: Arc::new(Mutex::new(None)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the shared connection, off the async threads.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        blocking(move || f(&mut conn.lock().unwrap_or_else(|p| p.into_inner()))).await
    }

    async fn refresh_inner(
        &self,
        member_id: &str,
        stale: &Secret,
        renew: RenewFn<'_>,
    ) -> Result<Tokens, RefreshError> {
        let (path, timeout, member) = (self.path.clone(), self.lock_timeout, member_id.to_string());
        // A connection of its own: the transaction stays open across the OAuth request, and
        // dropping the connection (a cancelled call, a killed process) rolls it back.
        let (conn, locked) = blocking(move || {
            let conn = connect(&path, timeout)?;
            conn.execute_batch("BEGIN IMMEDIATE").map_err(db)?;
            let locked = conn
                .query_row(sql::LOCK_ROW, [&member], |r| {
                    Ok(Locked {
                        tokens: Tokens::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                        expires_at: r.get::<_, Option<i64>>(2)?.map(from_unix),
                        reinstall_reason: r.get(3)?,
                    })
                })
                .optional()
                .map_err(db)?;
            Ok::<_, StoreError>((conn, locked))
        })
        .await?;
        let refresh = match plan(member_id, locked, stale, SystemTime::now()) {
            Plan::Use(tokens) => return Ok(tokens),
            Plan::Fail(e) => return Err(e),
            Plan::Renew(refresh) => refresh,
        };
        let outcome = settle(renew(refresh).await, SystemTime::now());
        let member = member_id.to_string();
        blocking(move || match outcome {
            Settle::Store(tokens, expires_at) => {
                conn.execute(
                    sql::STORE_TOKENS,
                    params![
                        member,
                        tokens.access_token.expose(),
                        tokens.refresh_token.expose(),
                        expires_at.map(to_unix),
                        now_unix()
                    ],
                )
                .map_err(db)?;
                conn.execute_batch("COMMIT").map_err(db)?;
                Ok(tokens)
            }
            Settle::MarkReinstall(reason) => {
                conn.execute(sql::MARK_REINSTALL, params![member, reason, now_unix()])
                    .map_err(db)?;
                conn.execute_batch("COMMIT").map_err(db)?;
                Err(RefreshError::NeedsReinstall { reason })
            }
            Settle::Fail(e) => Err(RefreshError::Auth(e)),
        })
        .await
    }
}

/// Counts one request in `member`'s bucket on `conn`, in one `BEGIN IMMEDIATE` transaction.
fn take_request(
    conn: &Connection,
    member: &str,
    limit: &RateLimit,
    refused: bool,
) -> Result<Duration, StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(db)?;
    let done = (|| {
        let stored = conn
            .query_row(sql::BUCKET, [member], |r| {
                Ok(level_from(r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(db)?;
        // Read under the write lock, so the levels' times follow the order of the writes.
        let (level, wait) = take(limit, stored, wall_clock(), refused);
        conn.execute(
            sql::STORE_BUCKET,
            params![member, level.count, level.at.as_secs_f64()],
        )
        .map_err(db)?;
        conn.execute_batch("COMMIT").map_err(db)?;
        Ok(wait)
    })();
    if done.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    done
}

/// Runs blocking database work on tokio's blocking threads.
async fn blocking<T: Send + 'static, E: From<StoreError> + Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(StoreError::Database(format!("a database task failed: {e}")).into())
    })
}

impl Store for SqliteStore {
    fn install<'a>(&'a self, i: &'a Installation) -> BoxFuture<'a, Result<(), StoreError>> {
        let i = i.clone();
        Box::pin(self.with(move |c| {
            c.execute(
                sql::UPSERT,
                params![
                    i.member_id,
                    i.domain,
                    i.client_endpoint,
                    i.server_endpoint.as_deref().unwrap_or(""),
                    i.tokens.access_token.expose(),
                    i.tokens.refresh_token.expose(),
                    i.expires_at,
                    i.application_token.as_ref().map(Secret::expose),
                    join_scopes(&i.scopes),
                    now_unix(),
                    i.status.as_ref().map(ToString::to_string),
                    i.user_id,
                    i.language,
                ],
            )
            .map(drop)
            .map_err(db)
        }))
    }

    fn get<'a>(&'a self, member_id: &'a str) -> BoxFuture<'a, Result<Option<Portal>, StoreError>> {
        let member = member_id.to_string();
        Box::pin(self.with(move |c| {
            let q = format!(
                "SELECT {} FROM bitrix_portals WHERE member_id = ?1",
                sql::PORTAL_COLUMNS
            );
            let Some(mut p) = c
                .query_row(&q, [&member], portal_row)
                .optional()
                .map_err(db)?
            else {
                return Ok(None);
            };
            p.values = values(c, &member)?;
            Ok(Some(p))
        }))
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<Portal>, StoreError>> {
        Box::pin(self.with(move |c| {
            let q = format!(
                "SELECT {} FROM bitrix_portals ORDER BY member_id",
                sql::PORTAL_COLUMNS
            );
            let mut st = c.prepare(&q).map_err(db)?;
            let mut portals: Vec<Portal> = st
                .query_map([], portal_row)
                .map_err(db)?
                .collect::<Result<_, _>>()
                .map_err(db)?;
            for p in &mut portals {
                p.values = values(c, p.member_id())?;
            }
            Ok(portals)
        }))
    }

    fn uninstall<'a>(
        &'a self,
        member_id: &'a str,
        keep_values: bool,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        let member = member_id.to_string();
        Box::pin(self.with(move |c| {
            let tx = c.transaction().map_err(db)?;
            let n = tx.execute(sql::DELETE_PORTAL, [&member]).map_err(db)?;
            if !keep_values {
                tx.execute(sql::DELETE_VALUES, [&member]).map_err(db)?;
            }
            tx.commit().map_err(db)?;
            Ok(n > 0)
        }))
    }

    fn set_value<'a>(
        &'a self,
        member_id: &'a str,
        key: &'a str,
        value: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let (member, key, value) = (
            member_id.to_string(),
            key.to_string(),
            value.map(String::from),
        );
        Box::pin(self.with(move |c| {
            let n = match &value {
                Some(v) => c.execute(sql::SET_VALUE, params![member, key, v]),
                None => c.execute(sql::DELETE_VALUE, params![member, key]),
            }
            .map_err(db)?;
            if n == 0 && value.is_some() {
                return Err(StoreError::NotInstalled(member));
            }
            Ok(())
        }))
    }

    fn value<'a>(
        &'a self,
        member_id: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        let (member, key) = (member_id.to_string(), key.to_string());
        Box::pin(self.with(move |c| {
            c.query_row(sql::VALUE, params![member, key], |r| r.get(0))
                .optional()
                .map_err(db)
        }))
    }

    fn refresh<'a>(
        &'a self,
        member_id: &'a str,
        stale: &'a Secret,
        renew: RenewFn<'a>,
    ) -> BoxFuture<'a, Result<Tokens, RefreshError>> {
        Box::pin(self.refresh_inner(member_id, stale, renew))
    }

    fn take_request<'a>(
        &'a self,
        member_id: &'a str,
        limit: RateLimit,
        refused: bool,
    ) -> BoxFuture<'a, Result<Duration, StoreError>> {
        let (path, member, buckets) = (
            self.path.clone(),
            member_id.to_string(),
            self.buckets.clone(),
        );
        Box::pin(blocking(move || {
            let mut slot = buckets.lock().unwrap_or_else(|p| p.into_inner());
            let conn = match slot.take() {
                Some(c) => c,
                None => connect(&path, BUCKET_LOCK_TIMEOUT)?,
            };
            let wait = take_request(&conn, &member, &limit, refused)?;
            *slot = Some(conn);
            Ok(wait)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bucket::SharedBucket;
    use bitrix_api::limits::RequestBucket;
    use std::time::Instant;

    fn temp_db(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join("bitrix-app-unit");
        std::fs::create_dir_all(&dir).unwrap();
        let nanos = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        dir.join(format!("{name}-{}-{nanos}.db", std::process::id()))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_locked_database_falls_back_to_the_process_bucket_in_bounded_time() {
        let path = temp_db("bucket-locked");
        let store = SqliteStore::open(&path).await.unwrap();
        let limit = RateLimit::new(50, 2).with_jitter(Duration::ZERO);
        let bucket = SharedBucket::new(Arc::new(store), "m", limit);
        assert_eq!(bucket.acquire().await, Duration::ZERO);
        assert!(!bucket.degraded());

        // Another process holds the write lock (a refresh waiting for the OAuth server, say).
        let holder = Connection::open(&path).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        let started = Instant::now();
        let waited = bucket.acquire().await;
        let took = started.elapsed();
        assert!(bucket.degraded(), "the fallback paced the call");
        // The lock wait is bounded, and the fallback starts full: the portal's counter counts
        // as full, so the request waits for the next drain step, up to one period away.
        assert!(
            took >= BUCKET_LOCK_TIMEOUT && took < BUCKET_LOCK_TIMEOUT * 5,
            "{took:?}"
        );
        assert!(
            waited > Duration::from_millis(750) && waited <= Duration::from_secs(1),
            "{waited:?}"
        );

        holder.execute_batch("ROLLBACK").unwrap();
        bucket.acquire().await;
        assert!(!bucket.degraded(), "back on the shared bucket");
    }
}
