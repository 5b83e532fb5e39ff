//! The portals a Bitrix24 application is installed on, kept in a real database.
//!
//! A [`Portals`] registry keeps one record per portal (`member_id`): its address, its OAuth
//! pair, the `application_token` its events carry, its scopes, whether it needs reinstalling,
//! and the application's own values for it. [`Portals::client`] gives a
//! [`bitrix_api::Client`] whose token refreshes go through the database: the refresh of a
//! portal runs under a row lock, so however many processes meet an expired token at once, the
//! OAuth server sees one refresh and every process gets the new pair (refresh tokens are
//! single-use). The registry is also the events verifier's [`bitrix_api::events::AppTokens`].
//!
//! With [`Portals::shared_rate_limit`], the registry also keeps each portal's request-rate
//! bucket ([`SharedBucket`]), so that all the application's processes stay under one portal's
//! limit together instead of each keeping its own count.
//!
//! Stores: [`SqliteStore`] (feature `sqlite`, the default: one file, processes of one machine)
//! and [`PgStore`] (feature `postgres`: applications on several machines).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix_app::{AppCredentials, Portals, SqliteStore};
//!
//! let store = SqliteStore::open("portals.db").await?;
//! let portals = Portals::new(store, AppCredentials::new("app.client.id", "client-secret"));
//! let client = portals.client("member-id-of-the-portal").await?;
//! # let _ = client; Ok(()) }
//! ```

#![deny(missing_docs)]
// Without a built-in store (neither `sqlite` nor `postgres`) the helpers they share (SQL text,
// bucket and portal rows) have no user; the `Store` trait is still there for a store of one's own.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]

mod bucket;
mod portal;
#[cfg(feature = "postgres")]
mod postgres;
mod registry;
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

pub use bitrix_api::install::Installation;
pub use bucket::{SharedBucket, BUCKET_LOCK_TIMEOUT};
pub use portal::{Portal, Status};
#[cfg(feature = "postgres")]
pub use postgres::{PgStore, DEFAULT_LOCK_TIMEOUT as PG_DEFAULT_LOCK_TIMEOUT};
pub use registry::{AppCredentials, ClientError, Portals};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, DEFAULT_LOCK_TIMEOUT};
pub use store::{BoxFuture, RefreshError, RenewFn, Store, StoreError};
