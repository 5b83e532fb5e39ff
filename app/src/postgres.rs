//! The shared store: PostgreSQL, for an application whose processes run on several machines.
//!
//! Built on `tokio-postgres` (not the blocking `postgres` crate, which wraps it and adds a
//! runtime of its own: more to build for the same thing). Plain connections (`NoTls`): reach
//! the server over a unix socket, loopback or a private network (see the README).
//!
//! Ordinary operations share one connection (opened again if it closes). A refresh opens a
//! connection of its own and runs `SELECT … FOR UPDATE` in a transaction with a
//! `lock_timeout`; a process that dies holding the lock loses its connection, and the server
//! rolls the transaction back and releases the lock.
//!
//! A portal's shared request bucket ([`crate::SharedBucket`]) is counted on one more
//! connection of the store's (`lock_timeout` [`BUCKET_LOCK_TIMEOUT`]): in a transaction, an
//! upsert that locks the portal's row and returns it with the server's clock, the new level
//! written back, commit. The server's clock makes the times comparable across machines.

use crate::bucket::{from_secs, level_from, take, BUCKET_LOCK_TIMEOUT};
use crate::portal::{from_unix, join_scopes, split_scopes, to_unix, Portal, Status};
use crate::sql::{self, postgres as pg};
use crate::store::{
    plan, settle, BoxFuture, Locked, Plan, RefreshError, RenewFn, Settle, Store, StoreError,
};
use bitrix_api::install::Installation;
use bitrix_api::oauth::AppStatus;
use bitrix_api::{RateLimit, Secret, Tokens};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio_postgres::{error::SqlState, Client, NoTls, Row};

/// The default bound of a wait for a portal's row lock.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// An arbitrary key for the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x6269_7472_6978_0001;

/// The registry in a PostgreSQL database. Cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    /// The connection string; it may hold a password, so it is never shown.
    url: Arc<Secret>,
    lock_timeout: Duration,
    shared: Arc<tokio::sync::Mutex<Option<Arc<Client>>>>,
    /// The request buckets' connection, opened on first use and after a failure.
    buckets: Arc<tokio::sync::Mutex<Option<Client>>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("lock_timeout", &self.lock_timeout)
            .finish_non_exhaustive()
    }
}

fn db(e: tokio_postgres::Error) -> StoreError {
    if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
        return StoreError::LockTimeout;
    }
    match e.as_db_error() {
        Some(d) => StoreError::Database(format!("{}: {}", d.code().code(), d.message())),
        None => StoreError::Database(e.to_string()),
    }
}

/// Opens a connection and drives it on its own task.
async fn connect(url: &Secret) -> Result<Client, StoreError> {
    let (client, connection) = tokio_postgres::connect(url.expose(), NoTls)
        .await
        .map_err(db)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "a registry database connection ended");
        }
    });
    Ok(client)
}

fn portal_row(r: &Row) -> Result<Portal, StoreError> {
    let get = |e: tokio_postgres::Error| StoreError::Database(e.to_string());
    let reason: Option<String> = r.try_get(9).map_err(get)?;
    let mut i = Installation::new(
        r.try_get::<_, String>(0).map_err(get)?,
        r.try_get::<_, String>(1).map_err(get)?,
        r.try_get::<_, String>(2).map_err(get)?,
        Tokens::new(
            r.try_get::<_, String>(4).map_err(get)?,
            r.try_get::<_, String>(5).map_err(get)?,
        ),
    );
    i.server_endpoint = r
        .try_get::<_, Option<String>>(3)
        .map_err(get)?
        .filter(|s| !s.is_empty());
    i.expires_at = r.try_get(6).map_err(get)?;
    i.application_token = r
        .try_get::<_, Option<String>>(7)
        .map_err(get)?
        .map(Secret::new);
    i.scopes = split_scopes(&r.try_get::<_, String>(8).map_err(get)?);
    i.status = r
        .try_get::<_, Option<String>>(10)
        .map_err(get)?
        .map(|s| AppStatus::from(s.as_str()));
    i.user_id = r.try_get(11).map_err(get)?;
    i.language = r.try_get(12).map_err(get)?;
    Ok(Portal {
        installation: i,
        status: match reason {
            None => Status::Active,
            Some(reason) => Status::NeedsReinstall { reason },
        },
        values: BTreeMap::new(),
    })
}

async fn values(c: &Client, member_id: &str) -> Result<BTreeMap<String, String>, StoreError> {
    let rows = c.query(&pg(sql::VALUES), &[&member_id]).await.map_err(db)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

fn now_unix() -> i64 {
    to_unix(SystemTime::now())
}

impl PgStore {
    /// Connects to the database at `url` (`postgresql://user@host:port/db`, or
    /// `host=/run/postgresql user=app dbname=app`) and migrates it on first use.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        Self::connect_with(url, DEFAULT_LOCK_TIMEOUT).await
    }

    /// As [`PgStore::connect`], with another bound for lock waits (`lock_timeout`).
    pub async fn connect_with(url: &str, lock_timeout: Duration) -> Result<PgStore, StoreError> {
        let url = Arc::new(Secret::new(url));
        let mut client = connect(&url).await?;
        migrate(&mut client).await?;
        Ok(PgStore {
            url,
            lock_timeout,
            shared: Arc::new(tokio::sync::Mutex::new(Some(Arc::new(client)))),
            buckets: Arc::new(tokio::sync::Mutex::new(None)),
        })
    }

    /// The shared connection, opened again if it closed.
    async fn client(&self) -> Result<Arc<Client>, StoreError> {
        let mut g = self.shared.lock().await;
        if let Some(c) = g.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        let c = Arc::new(connect(&self.url).await?);
        *g = Some(c.clone());
        Ok(c)
    }

    async fn refresh_inner(
        &self,
        member_id: &str,
        stale: &Secret,
        renew: RenewFn<'_>,
    ) -> Result<Tokens, RefreshError> {
        // A connection of its own: dropping it (a cancelled call, a killed process) ends the
        // transaction and releases the lock.
        let mut client = connect(&self.url).await?;
        let ms = self.lock_timeout.as_millis().max(1);
        client
            .batch_execute(&format!("SET lock_timeout = {ms}"))
            .await
            .map_err(db)?;
        let tx = client.transaction().await.map_err(db)?;
        let locked = tx
            .query_opt(&format!("{} FOR UPDATE", pg(sql::LOCK_ROW)), &[&member_id])
            .await
            .map_err(db)?
            .map(|r| Locked {
                tokens: Tokens::new(r.get::<_, String>(0), r.get::<_, String>(1)),
                expires_at: r.get::<_, Option<i64>>(2).map(from_unix),
                reinstall_reason: r.get(3),
            });
        let refresh = match plan(member_id, locked, stale, SystemTime::now()) {
            Plan::Use(tokens) => return Ok(tokens),
            Plan::Fail(e) => return Err(e),
            Plan::Renew(refresh) => refresh,
        };
        match settle(renew(refresh).await, SystemTime::now()) {
            Settle::Store(tokens, expires_at) => {
                tx.execute(
                    &pg(sql::STORE_TOKENS),
                    &[
                        &member_id,
                        &tokens.access_token.expose(),
                        &tokens.refresh_token.expose(),
                        &expires_at.map(to_unix),
                        &now_unix(),
                    ],
                )
                .await
                .map_err(db)?;
                tx.commit().await.map_err(db)?;
                Ok(tokens)
            }
            Settle::MarkReinstall(reason) => {
                tx.execute(
                    &pg(sql::MARK_REINSTALL),
                    &[&member_id, &reason, &now_unix()],
                )
                .await
                .map_err(db)?;
                tx.commit().await.map_err(db)?;
                Err(RefreshError::NeedsReinstall { reason })
            }
            Settle::Fail(e) => Err(RefreshError::Auth(e)),
        }
    }
}

/// Locks `member`'s bucket row (created empty if missing) and returns its level with the
/// server's clock, read once the lock is had.
const LOCK_BUCKET: &str = "
INSERT INTO bitrix_rate_buckets (member_id, level, level_at) VALUES ($1, 0, 0)
ON CONFLICT (member_id) DO UPDATE SET level = bitrix_rate_buckets.level
RETURNING level, level_at, extract(epoch FROM clock_timestamp())::float8";

/// Counts one request in `member`'s bucket on `client`, in one transaction.
async fn take_request(
    client: &mut Client,
    member: &str,
    limit: &RateLimit,
    refused: bool,
) -> Result<Duration, StoreError> {
    let tx = client.transaction().await.map_err(db)?;
    let row = tx.query_one(LOCK_BUCKET, &[&member]).await.map_err(db)?;
    let (count, at, now): (f64, f64, f64) = (row.get(0), row.get(1), row.get(2));
    // A new row (time 0) is an empty bucket.
    let stored = (at > 0.0).then(|| level_from(count, at));
    let (level, wait) = take(limit, stored, from_secs(now), refused);
    tx.execute(
        &pg(sql::STORE_BUCKET),
        &[&member, &level.count, &level.at.as_secs_f64()],
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(wait)
}

/// Applies the migrations the database has not seen, one process at a time.
async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS bitrix_app_schema (version INTEGER NOT NULL)")
        .await
        .map_err(db)?;
    let version: i32 = tx
        .query_opt("SELECT version FROM bitrix_app_schema", &[])
        .await
        .map_err(db)?
        .map_or(0, |r| r.get(0));
    let done = usize::try_from(version).unwrap_or(0);
    for (i, step) in sql::MIGRATIONS.iter().enumerate().skip(done) {
        tx.batch_execute(step).await.map_err(db)?;
        let next = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("DELETE FROM bitrix_app_schema", &[])
            .await
            .map_err(db)?;
        tx.execute(
            "INSERT INTO bitrix_app_schema (version) VALUES ($1)",
            &[&next],
        )
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

impl Store for PgStore {
    fn install<'a>(&'a self, i: &'a Installation) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let c = self.client().await?;
            c.execute(
                &pg(sql::UPSERT),
                &[
                    &i.member_id,
                    &i.domain,
                    &i.client_endpoint,
                    &i.server_endpoint.as_deref().unwrap_or(""),
                    &i.tokens.access_token.expose(),
                    &i.tokens.refresh_token.expose(),
                    &i.expires_at,
                    &i.application_token.as_ref().map(Secret::expose),
                    &join_scopes(&i.scopes),
                    &now_unix(),
                    &i.status.as_ref().map(ToString::to_string),
                    &i.user_id,
                    &i.language,
                ],
            )
            .await
            .map(drop)
            .map_err(db)
        })
    }

    fn get<'a>(&'a self, member_id: &'a str) -> BoxFuture<'a, Result<Option<Portal>, StoreError>> {
        Box::pin(async move {
            let c = self.client().await?;
            let q = format!(
                "SELECT {} FROM bitrix_portals WHERE member_id = $1",
                sql::PORTAL_COLUMNS
            );
            let Some(row) = c.query_opt(&q, &[&member_id]).await.map_err(db)? else {
                return Ok(None);
            };
            let mut p = portal_row(&row)?;
            p.values = values(&c, member_id).await?;
            Ok(Some(p))
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<Portal>, StoreError>> {
        Box::pin(async move {
            let c = self.client().await?;
            let q = format!(
                "SELECT {} FROM bitrix_portals ORDER BY member_id",
                sql::PORTAL_COLUMNS
            );
            let rows = c.query(&q, &[]).await.map_err(db)?;
            let mut portals = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut p = portal_row(row)?;
                p.values = values(&c, p.member_id()).await?;
                portals.push(p);
            }
            Ok(portals)
        })
    }

    fn uninstall<'a>(
        &'a self,
        member_id: &'a str,
        keep_values: bool,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let c = self.client().await?;
            // One statement, so one transaction, without a connection of its own.
            let n = if keep_values {
                c.execute(&pg(sql::DELETE_PORTAL), &[&member_id]).await
            } else {
                c.execute(
                    "WITH gone AS (DELETE FROM bitrix_portal_values WHERE member_id = $1) \
                     DELETE FROM bitrix_portals WHERE member_id = $1",
                    &[&member_id],
                )
                .await
            }
            .map_err(db)?;
            Ok(n > 0)
        })
    }

    fn set_value<'a>(
        &'a self,
        member_id: &'a str,
        key: &'a str,
        value: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let c = self.client().await?;
            let n = match value {
                Some(v) => {
                    c.execute(&pg(sql::SET_VALUE), &[&member_id, &key, &v])
                        .await
                }
                None => c.execute(&pg(sql::DELETE_VALUE), &[&member_id, &key]).await,
            }
            .map_err(db)?;
            if n == 0 && value.is_some() {
                return Err(StoreError::NotInstalled(member_id.to_string()));
            }
            Ok(())
        })
    }

    fn value<'a>(
        &'a self,
        member_id: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        Box::pin(async move {
            let c = self.client().await?;
            let row = c
                .query_opt(&pg(sql::VALUE), &[&member_id, &key])
                .await
                .map_err(db)?;
            Ok(row.map(|r| r.get(0)))
        })
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
        Box::pin(async move {
            let mut slot = self.buckets.lock().await;
            // Taken out while in use: a failed or cancelled acquire drops the connection (and
            // with it any open transaction); the next one connects again.
            let mut client = match slot.take().filter(|c| !c.is_closed()) {
                Some(c) => c,
                None => {
                    let c = connect(&self.url).await?;
                    let ms = BUCKET_LOCK_TIMEOUT.as_millis().max(1);
                    c.batch_execute(&format!("SET lock_timeout = {ms}"))
                        .await
                        .map_err(db)?;
                    c
                }
            };
            let wait = take_request(&mut client, member_id, &limit, refused).await?;
            *slot = Some(client);
            Ok(wait)
        })
    }
}
