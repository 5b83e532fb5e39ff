//! Token reads and refreshes per second of the registry's stores.
//!
//! ```sh
//! cargo run --release -p bitrix-app --example registry_bench
//! # and PostgreSQL (scripts/postgres.sh starts a local server):
//! BITRIX_TEST_POSTGRES_URL="$(scripts/postgres.sh)" \
//!     cargo run --release -p bitrix-app --features postgres --example registry_bench
//! ```
//!
//! A read is `Store::get` of one portal (its row and values). A refresh is `Store::refresh`
//! with the lock, the stale-token check, the write and the commit; the OAuth server is left
//! out (the renewal answers at once with a made-up pair), so the figure is the store's own cost.

use bitrix_api::oauth::Renewed;
use bitrix_api::{Secret, Tokens};
use bitrix_app::{Installation, SqliteStore, Store};
use std::time::{Duration, Instant, SystemTime};

const READS: u32 = 5_000;
const REFRESHES: u32 = 500;

fn installation(member_id: &str) -> Installation {
    let mut i = Installation::new(
        member_id,
        "bench.bitrix24.test",
        "https://bench.bitrix24.test/rest/",
        Tokens::new("access-0", "refresh-0"),
    );
    i.server_endpoint = Some("https://oauth.bitrix24.test/rest/".into());
    i.expires_at = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs() + 3600).ok());
    i.application_token = Some(Secret::new("app-token"));
    i.scopes = vec!["imbot".into(), "imopenlines".into()];
    i
}

async fn bench(name: &str, store: &dyn Store) {
    let member = format!("bench-{}", std::process::id());
    store
        .install(&installation(&member))
        .await
        .expect("install");
    store
        .set_value(&member, "bot_id", Some("1"))
        .await
        .expect("value");

    let started = Instant::now();
    for _ in 0..READS {
        store.get(&member).await.expect("read").expect("installed");
    }
    let reads = f64::from(READS) / started.elapsed().as_secs_f64();

    let mut current = Secret::new("refresh-0");
    let started = Instant::now();
    for i in 1..=REFRESHES {
        let next = Tokens::new(format!("access-{i}"), format!("refresh-{i}"));
        let answer = next.clone();
        let got = store
            .refresh(
                &member,
                &current,
                Box::new(move |_| {
                    Box::pin(async move {
                        Ok(Renewed {
                            tokens: answer,
                            expires_in: Some(Duration::from_secs(3600)),
                        })
                    })
                }),
            )
            .await
            .expect("refresh");
        assert_eq!(got, next);
        current = got.refresh_token;
    }
    let refreshes = f64::from(REFRESHES) / started.elapsed().as_secs_f64();
    store.uninstall(&member, false).await.expect("uninstall");
    println!("{name:<10} token reads/s: {reads:>8.0}   refreshes/s: {refreshes:>7.0}");
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("bitrix-app-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sqlite = SqliteStore::open(dir.join("portals.db"))
        .await
        .expect("sqlite");
    bench("sqlite", &sqlite).await;
    drop(sqlite);
    let _ = std::fs::remove_dir_all(&dir);

    match std::env::var("BITRIX_TEST_POSTGRES_URL") {
        #[cfg(feature = "postgres")]
        Ok(url) => {
            let pg = bitrix_app::PgStore::connect(&url).await.expect("postgres");
            bench("postgres", &pg).await;
        }
        _ => println!(
            "postgres   skipped: set BITRIX_TEST_POSTGRES_URL and build with --features postgres"
        ),
    }
}
