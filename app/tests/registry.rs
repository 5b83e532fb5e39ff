//! The registry against the real engines: SQLite always, PostgreSQL when
//! `BITRIX_TEST_POSTGRES_URL` is set (see `common::backends`).

mod common;

use bitrix_api::events::{AppTokens, Portal as EventPortal};
use bitrix_api::imopenlines::DialogGet;
use bitrix_api::oauth::AppStatus;
use bitrix_api::{AuthError, Error, Secret, Tokens};
use bitrix_app::{ClientError, RefreshError, SqliteStore, Status, Store, StoreError};
use common::{backends, emulator, installation, portals, unique};

#[tokio::test]
async fn a_repeated_install_keeps_one_record_and_its_values() {
    let emu = emulator().await;
    for backend in backends("install") {
        let reg = portals(&backend, &emu).await;
        let (a, b) = (unique("portal-a"), unique("portal-b"));
        reg.install(&installation(&emu, &a)).await.unwrap();
        reg.install(&installation(&emu, &b)).await.unwrap();
        reg.set_value(&a, "bot_id", "17").await.unwrap();

        let mut again = installation(&emu, &a);
        again.domain = "moved.bitrix24.test".into();
        again.application_token = None; // a reinstall without ONAPPINSTALL keeps the token
        reg.install(&again).await.unwrap();

        let p = reg.get(&a).await.unwrap().expect("installed");
        assert_eq!(p.installation.domain, "moved.bitrix24.test", "{backend:?}");
        assert_eq!(p.installation.tokens, again.tokens);
        assert_eq!(
            p.installation.application_token,
            Some(Secret::new(emu.application_token()))
        );
        assert_eq!(p.installation.scopes, vec!["imopenlines", "imbot"]);
        assert_eq!(p.status, Status::Active);
        assert_eq!(p.values.get("bot_id").map(String::as_str), Some("17"));
        let listed: Vec<_> = reg.list().await.unwrap();
        let mine: Vec<_> = listed
            .iter()
            .filter(|p| p.member_id() == a || p.member_id() == b)
            .collect();
        assert_eq!(mine.len(), 2, "one record per portal: {backend:?}");
        assert!(reg.get("not-installed").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn uninstall_forgets_the_tokens_and_the_values_unless_kept() {
    let emu = emulator().await;
    for backend in backends("uninstall") {
        let reg = portals(&backend, &emu).await;
        let (keep, drop) = (unique("keep"), unique("drop"));
        for m in [&keep, &drop] {
            reg.install(&installation(&emu, m)).await.unwrap();
            reg.set_value(m, "bot_id", "5").await.unwrap();
            reg.set_value(m, "line", "2").await.unwrap();
        }
        reg.remove_value(&keep, "line").await.unwrap();
        assert_eq!(reg.value(&keep, "line").await.unwrap(), None);

        assert!(reg.uninstall(&keep, true).await.unwrap());
        assert!(reg.uninstall(&drop, false).await.unwrap());
        assert!(!reg.uninstall(&drop, false).await.unwrap(), "already gone");
        assert!(reg.get(&keep).await.unwrap().is_none());
        assert_eq!(
            reg.value(&keep, "bot_id").await.unwrap().as_deref(),
            Some("5")
        );
        assert_eq!(reg.value(&drop, "bot_id").await.unwrap(), None);
        assert_eq!(
            reg.set_value(&drop, "bot_id", "6").await,
            Err(StoreError::NotInstalled(drop.clone())),
            "{backend:?}"
        );
        // Reinstalled: the kept values are there again.
        reg.install(&installation(&emu, &keep)).await.unwrap();
        let p = reg.get(&keep).await.unwrap().unwrap();
        assert_eq!(p.values.get("bot_id").map(String::as_str), Some("5"));
    }
}

#[tokio::test]
async fn the_sqlite_file_survives_a_restart_and_only_its_owner_reads_it() {
    let emu = emulator().await;
    let path = common::sqlite_path("restart");
    let member = unique("restart");
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store.install(&installation(&emu, &member)).await.unwrap();
        store.set_value(&member, "bot_id", Some("9")).await.unwrap();
    }
    let store = SqliteStore::open(&path).await.unwrap();
    let p = store
        .get(&member)
        .await
        .unwrap()
        .expect("kept across a restart");
    assert_eq!(p.values.get("bot_id").map(String::as_str), Some("9"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        for f in [path.clone(), wal.into()] {
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", f.display());
        }
    }
}

#[tokio::test]
async fn the_installers_record_round_trips_and_a_reinstall_merges_like_it() {
    let emu = emulator().await;
    for backend in backends("record") {
        let reg = portals(&backend, &emu).await;
        let member = unique("record");
        let mut first = installation(&emu, &member);
        first.status = Some(AppStatus::L);
        first.user_id = Some(7);
        first.language = Some("de".into());
        reg.install(&first).await.unwrap();
        let stored = reg.get(&member).await.unwrap().unwrap().installation;
        assert_eq!(stored, first, "{backend:?}");

        // A later request without the optional values: stored as `Installation::merge` folds it.
        let mut later = installation(&emu, &member);
        later.server_endpoint = None;
        later.scopes.clear();
        later.application_token = None;
        let mut merged = first.clone();
        merged.merge(later.clone()).unwrap();
        reg.install(&later).await.unwrap();
        let stored = reg.get(&member).await.unwrap().unwrap().installation;
        assert_eq!(stored, merged, "{backend:?}");
    }
}

#[tokio::test]
async fn a_client_refreshes_through_the_store_once() {
    let emu = emulator().await;
    let chat = emu.bot_chat_ids()[0];
    for backend in backends("client") {
        let reg = portals(&backend, &emu).await;
        let member = unique("client");
        let installed = installation(&emu, &member);
        reg.install(&installed).await.unwrap();
        let client = reg.client(&member).await.unwrap();
        client.call(DialogGet::new().chat_id(chat)).await.unwrap();

        emu.expire_access_tokens();
        let before = emu.refresh_count();
        client.call(DialogGet::new().chat_id(chat)).await.unwrap();
        assert_eq!(emu.refresh_count(), before + 1, "{backend:?}");
        let stored = reg.get(&member).await.unwrap().unwrap().installation;
        assert_ne!(stored.tokens, installed.tokens, "the new pair is stored");
        assert_eq!(client.tokens().unwrap(), stored.tokens);
        assert!(stored.expires_at > installed.expires_at.map(|t| t - 60));

        // Another client of the registry starts from the stored pair: no refresh.
        let other = reg.client(&member).await.unwrap();
        other.call(DialogGet::new().chat_id(chat)).await.unwrap();
        assert_eq!(emu.refresh_count(), before + 1);
    }
}

#[tokio::test]
async fn a_refused_refresh_token_marks_the_portal_for_reinstall() {
    let emu = emulator().await;
    let chat = emu.bot_chat_ids()[0];
    for backend in backends("refused") {
        let reg = portals(&backend, &emu).await;
        let (member, bystander) = (unique("refused"), unique("bystander"));
        let installed = installation(&emu, &member);
        reg.install(&installed).await.unwrap();
        reg.install(&installation(&emu, &bystander)).await.unwrap();
        emu.expire_access_tokens();
        reg.client(&member)
            .await
            .unwrap()
            .call(DialogGet::new().chat_id(chat))
            .await
            .unwrap();

        // The first pair's refresh token is spent: stored again (as a stale backup would be),
        // the emulator refuses it with invalid_grant and the portal is marked.
        reg.install(&installed).await.unwrap();
        let stale = reg.client(&member).await.unwrap();
        emu.expire_access_tokens();
        let before = emu.refresh_count();
        let e = stale
            .call(DialogGet::new().chat_id(chat))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::Auth(AuthError::Renewer(r)) if r.permanent && r.reason.contains("invalid_grant")),
            "{e:?}"
        );
        assert_eq!(emu.refresh_count(), before + 1);
        let p = reg.get(&member).await.unwrap().unwrap();
        assert!(
            matches!(&p.status, Status::NeedsReinstall { reason } if reason.contains("invalid_grant")),
            "{:?}",
            p.status
        );

        // From now on: said plainly, without asking the OAuth server again.
        let e = stale
            .call(DialogGet::new().chat_id(chat))
            .await
            .unwrap_err();
        assert!(matches!(&e, Error::Auth(a) if a.is_permanent()), "{e:?}");
        match reg.client(&member).await {
            Err(ClientError::NeedsReinstall { reason, .. }) => {
                assert!(reason.contains("invalid_grant"))
            }
            other => panic!("{other:?}"),
        }
        let direct = reg
            .store()
            .refresh(
                &member,
                &installed.tokens.refresh_token,
                Box::new(|_| panic!("the OAuth server is not asked for a condemned portal")),
            )
            .await;
        assert!(
            matches!(direct, Err(RefreshError::NeedsReinstall { .. })),
            "{direct:?}"
        );
        assert_eq!(emu.refresh_count(), before + 1);
        assert_eq!(
            reg.get(&bystander).await.unwrap().unwrap().status,
            Status::Active,
            "no other portal is touched"
        );
        let shown = format!("{e:?} {e} {p:?}");
        for secret in [
            installed.tokens.refresh_token.expose(),
            installed.tokens.access_token.expose(),
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }

        // A reinstall brings the portal back.
        reg.install(&installation(&emu, &member)).await.unwrap();
        reg.client(&member)
            .await
            .unwrap()
            .call(DialogGet::new().chat_id(chat))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_store_refresh_hands_out_a_pair_another_process_stored() {
    let emu = emulator().await;
    for backend in backends("handout") {
        let reg = portals(&backend, &emu).await;
        let member = unique("handout");
        let mut inst = installation(&emu, &member);
        let seen = inst.tokens.refresh_token.clone();
        inst.tokens = Tokens::new("newer-access", "newer-refresh");
        reg.install(&inst).await.unwrap();
        let got = reg
            .store()
            .refresh(
                &member,
                &seen,
                Box::new(|_| panic!("not asked: the stored pair is newer")),
            )
            .await
            .unwrap();
        assert_eq!(got, inst.tokens, "{backend:?}");
    }
}

#[tokio::test]
async fn events_are_checked_against_each_portals_application_token() {
    let emu = emulator().await;
    for backend in backends("apptokens") {
        let reg = portals(&backend, &emu).await;
        let member = unique("apptokens");
        reg.install(&installation(&emu, &member)).await.unwrap();
        let named = |m: Option<&'static str>| EventPortal {
            member_id: m,
            domain: None,
        };
        let leaked: &'static str = Box::leak(member.clone().into_boxed_str());
        assert_eq!(
            reg.application_token(named(Some(leaked))).await.unwrap(),
            Some(Secret::new(emu.application_token()))
        );
        assert_eq!(
            reg.application_token(named(Some("unknown"))).await.unwrap(),
            None
        );
        assert_eq!(reg.application_token(named(None)).await.unwrap(), None);
    }
}
