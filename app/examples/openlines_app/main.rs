//! An installable open-lines bot for many portals, against the embedded emulator.
//!
//! Two emulated portals share one OAuth server. One process serves the install handler and
//! the event handler of every portal (see `app.rs`): each install is confirmed, stored in a
//! SQLite registry in a temporary directory and gets the bot registered with the portal's own
//! client; each event is checked against its portal's `application_token` and answered with
//! that portal's client. A customer on each portal talks to the bot, then one portal
//! uninstalls the application. Exits 0 when all of that worked.
//!
//! Run: `cargo run -p bitrix-app --example openlines_app`

mod app;

use app::{BoxError, BOT_ID};
use bitrix_api::install::Installer;
use bitrix_api::oauth::OAuthApp;
use bitrix_app::{AppCredentials, Portals, SqliteStore};
use bitrix_emulator::{Config, Emulator, InstallApp};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let first = Emulator::start(Config::default()).await?;
    let second = Emulator::start_sharing_oauth(Config::default(), &first).await?;
    println!(
        "Two emulated portals: {} and {}",
        first.domain(),
        second.domain()
    );

    let dir = std::env::temp_dir().join(format!("openlines_app-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = SqliteStore::open(dir.join("portals.db")).await?;
    let portals = Portals::new(
        store,
        AppCredentials::new(first.client_id(), first.client_secret())
            .token_url(first.oauth_token_url()),
    );
    let oauth = OAuthApp::builder(first.client_id(), first.client_secret())
        .token_url(first.oauth_token_url())
        .build()?;
    let (install_url, events_url) = app::serve(Installer::new(oauth), portals.clone()).await?;
    println!("The application listens at {install_url} and {events_url}");

    let result = run(&first, &second, &portals, &install_url, &events_url).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run(
    first: &Emulator,
    second: &Emulator,
    portals: &Portals,
    install_url: &str,
    events_url: &str,
) -> Result<(), BoxError> {
    for emu in [first, second] {
        println!("\nInstalling on {}:", emu.domain());
        let done = emu
            .install_app(&InstallApp::callback(install_url).event_handler(events_url))
            .await;
        if done.install.status != Some(200) {
            return Err(format!("the install handler answered {:?}", done.install.status).into());
        }
    }
    println!();
    for emu in [first, second] {
        app::converse(emu).await?;
    }
    println!("\nThe registry:");
    for p in portals.list().await? {
        let bot = p.values.get(BOT_ID).map_or("none", String::as_str);
        println!("  {} ({}): bot {bot}", p.installation.domain, p.member_id());
    }
    println!("\nUninstalling from {}:", second.domain());
    second.uninstall_app(true).await?;
    if portals.get(&second.member_id()).await?.is_some() {
        return Err("the uninstalled portal is still in the registry".into());
    }
    println!(
        "\nDone: both portals talked to the bot; {} is forgotten.",
        second.domain()
    );
    Ok(())
}
