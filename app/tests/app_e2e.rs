//! The example application (`examples/openlines_app`) end to end: installed on two emulated
//! portals that share one OAuth server, a conversation on each, then one uninstall.

#[path = "../examples/openlines_app/app.rs"]
mod app;

use app::BOT_ID;
use bitrix_api::install::Installer;
use bitrix_api::oauth::OAuthApp;
use bitrix_app::{AppCredentials, Portals, SqliteStore};
use bitrix_emulator::{Config, Emulator, InstallApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_serves_two_portals_and_forgets_the_one_that_uninstalls() {
    let first = Emulator::start(Config::default()).await.unwrap();
    let second = Emulator::start_sharing_oauth(Config::default(), &first)
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("app_e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(dir.join("portals.db")).await.unwrap();
    let portals = Portals::new(
        store,
        AppCredentials::new(first.client_id(), first.client_secret())
            .token_url(first.oauth_token_url()),
    );
    let oauth = OAuthApp::builder(first.client_id(), first.client_secret())
        .token_url(first.oauth_token_url())
        .build()
        .unwrap();
    let (install_url, events_url) = app::serve(Installer::new(oauth), portals.clone())
        .await
        .unwrap();

    for emu in [&first, &second] {
        let done = emu
            .install_app(&InstallApp::callback(&install_url).event_handler(&events_url))
            .await;
        assert_eq!(done.install.status, Some(200), "{done:?}");
        assert_eq!(done.event.as_ref().and_then(|d| d.status), Some(200));
        app::converse(emu).await.unwrap();
    }

    let listed = portals.list().await.unwrap();
    assert_eq!(listed.len(), 2);
    for emu in [&first, &second] {
        let p = portals
            .get(&emu.member_id())
            .await
            .unwrap()
            .expect("installed");
        assert_eq!(p.installation.domain, emu.domain());
        assert_eq!(p.installation.client_endpoint, emu.rest_url());
        let bot: i64 = p.values[BOT_ID].parse().unwrap();
        assert!(bot > 0);
        let registers = emu
            .requests()
            .iter()
            .filter(|r| r.method == "imbot.register")
            .count();
        assert_eq!(
            registers, 1,
            "one bot per portal, even with two install requests"
        );
    }
    assert_ne!(first.member_id(), second.member_id());

    let gone = second
        .uninstall_app(true)
        .await
        .unwrap()
        .expect("delivered");
    assert_eq!(gone.status, Some(200), "{gone:?}");
    assert!(portals.get(&second.member_id()).await.unwrap().is_none());
    assert_eq!(
        portals.value(&second.member_id(), BOT_ID).await.unwrap(),
        None
    );
    assert!(portals.get(&first.member_id()).await.unwrap().is_some());

    // The other portal still answers, with a chat it has not used yet.
    let chat = first.bot_chat_ids()[1];
    let sent = first.customer_writes(chat, "hello").await.unwrap();
    assert_eq!(sent.delivery.as_ref().and_then(|d| d.status), Some(200));
    let after = first
        .wait_for_answer(chat, &sent, std::time::Duration::from_secs(10))
        .await;
    assert!(after.is_some(), "the remaining portal's bot answers");
    let _ = std::fs::remove_dir_all(&dir);
}
