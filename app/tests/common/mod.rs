//! Helpers of the registry's tests: the stores to run against, unique names, an installation
//! on the emulator.

#![allow(dead_code)] // each test file uses its own part

use bitrix_api::{Secret, Tokens};
use bitrix_app::{AppCredentials, Installation, Portals, SqliteStore, Store};
use bitrix_emulator::{Config, Emulator};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The variable that names the PostgreSQL server of the tests (`scripts/postgres.sh`).
pub const PG_VAR: &str = "BITRIX_TEST_POSTGRES_URL";

/// A store the tests run against, as text a child process can be handed.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    /// `sqlite:PATH` or `postgres:URL`.
    pub fn spec(&self) -> String {
        match self {
            Backend::Sqlite(p) => format!("sqlite:{}", p.display()),
            Backend::Postgres(u) => format!("postgres:{u}"),
        }
    }

    /// The backend a spec names.
    pub fn parse(spec: &str) -> Backend {
        match spec.split_once(':') {
            Some(("sqlite", p)) => Backend::Sqlite(p.into()),
            Some(("postgres", u)) => Backend::Postgres(u.into()),
            _ => panic!("not a backend: {spec}"),
        }
    }

    /// Opens the store.
    pub async fn open(&self, lock_timeout: Duration) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(p) => Arc::new(SqliteStore::open_with(p, lock_timeout).await.unwrap()),
            Backend::Postgres(u) => pg_store(u, lock_timeout).await,
        }
    }
}

#[cfg(feature = "postgres")]
async fn pg_store(url: &str, lock_timeout: Duration) -> Arc<dyn Store> {
    Arc::new(
        bitrix_app::PgStore::connect_with(url, lock_timeout)
            .await
            .unwrap(),
    )
}

#[cfg(not(feature = "postgres"))]
async fn pg_store(_url: &str, _lock_timeout: Duration) -> Arc<dyn Store> {
    panic!("built without the `postgres` feature")
}

/// A name no other test (or earlier run) uses.
pub fn unique(name: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{name}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// A fresh SQLite file path in the temp folder.
pub fn sqlite_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("bitrix-app-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}.db", unique(name)))
}

/// The stores to run against: a fresh SQLite file always; PostgreSQL when [`PG_VAR`] is set and
/// the `postgres` feature is on. Without the variable the PostgreSQL run is skipped with a
/// message, except in CI (`CI` set), where it fails.
pub fn backends(name: &str) -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite(sqlite_path(name))];
    match std::env::var(PG_VAR) {
        Ok(url) if !url.is_empty() && cfg!(feature = "postgres") => {
            all.push(Backend::Postgres(url));
        }
        // `cargo test --workspace` builds without the feature; CI runs the crate again with it.
        Ok(url) if !url.is_empty() => {
            eprintln!("{name}: PostgreSQL skipped (built without `--features postgres`)")
        }
        _ if std::env::var_os("CI").is_some() => {
            panic!("{PG_VAR} is not set in CI: .ci/run starts PostgreSQL with scripts/postgres.sh")
        }
        _ => eprintln!("{name}: PostgreSQL skipped ({PG_VAR} is not set; see scripts/postgres.sh)"),
    }
    all
}

pub async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("the emulator starts")
}

/// The emulated application's credentials.
pub fn credentials(emu: &Emulator) -> AppCredentials {
    AppCredentials::new(emu.client_id(), emu.client_secret()).token_url(emu.oauth_token_url())
}

/// An installation of the emulated application, with a fresh pair.
pub fn installation(emu: &Emulator, member_id: &str) -> Installation {
    let t = emu.issue_tokens();
    let mut i = Installation::new(
        member_id,
        "emulated.bitrix24.test",
        emu.rest_url(),
        Tokens::new(t.access_token, t.refresh_token),
    );
    i.server_endpoint = Some(format!("{}/oauth/rest/", emu.base_url()));
    i.expires_at = Some(unix(SystemTime::now() + Duration::from_secs(3600)));
    i.application_token = Some(Secret::new(emu.application_token()));
    i.scopes = vec!["imopenlines".into(), "imbot".into()];
    i
}

/// Seconds since the Unix epoch.
pub fn unix(t: SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A registry over `backend` for the emulated application.
pub async fn portals(backend: &Backend, emu: &Emulator) -> Portals {
    Portals::shared(
        backend.open(Duration::from_secs(10)).await,
        credentials(emu),
    )
}

/// A short digest of a refresh token, to compare pairs across processes without printing one.
pub fn digest(t: &Tokens) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.refresh_token.expose().hash(&mut h);
    t.access_token.expose().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Reads a child's stdout until a line holding `@@prefix` (the test harness may have started
/// the line with its own words); returns the rest of the line.
pub fn read_until(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    prefix: &str,
) -> String {
    let marker = format!("@@{prefix}");
    for line in lines {
        let line = line.expect("the child's output is readable");
        if let Some(at) = line.find(&marker) {
            return line[at + marker.len()..].trim().to_string();
        }
    }
    panic!("the child ended without saying {prefix:?}")
}
