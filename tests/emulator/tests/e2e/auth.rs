//! Webhook and OAuth authorization, and the token endpoint.

use std::time::Duration;

use bitrix_emulator::{AuthKind, Config};
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn urls_are_on_loopback() {
    let emu = start().await;
    assert!(emu.local_addr().ip().is_loopback());
    let base = emu.base_url();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(
        emu.webhook_url(),
        format!("{base}/rest/1/{}/", emu.webhook_code())
    );
    assert_eq!(emu.rest_url(), format!("{base}/rest/"));
    assert_eq!(emu.oauth_token_url(), format!("{base}/oauth/token/"));
}

#[tokio::test]
async fn wrong_webhook_code_or_user_is_no_auth_found() {
    let emu = start().await;
    let base = emu.base_url();
    let code = emu.webhook_code();
    for url in [
        format!("{base}/rest/1/wrongcode/{DIALOG_GET}"),
        format!("{base}/rest/7/{code}/{DIALOG_GET}"),
        format!("{base}/rest/x/{code}/{DIALOG_GET}"),
        format!("{base}/rest/{DIALOG_GET}"),
    ] {
        post_json(&url, &json!({"CHAT_ID": 101}))
            .await
            .assert_error(401, "NO_AUTH_FOUND", "Wrong authorization data");
    }
}

#[tokio::test]
async fn unknown_token_is_no_auth_found() {
    let emu = start().await;
    oauth(&emu, "not-a-token", DIALOG_GET, &json!({"CHAT_ID": 101}))
        .await
        .assert_error(401, "NO_AUTH_FOUND", "Wrong authorization data");
}

#[tokio::test]
async fn token_in_query_json_or_form() {
    let emu = start().await;
    let t = emu.issue_tokens();
    let url = format!("{}{DIALOG_GET}", emu.rest_url());
    let q = get(&format!("{url}?auth={}&CHAT_ID=101", t.access_token)).await;
    assert_eq!(q.result()["id"], 101);
    let j = post_json(&url, &json!({"auth": t.access_token, "CHAT_ID": 101})).await;
    assert_eq!(j.result()["id"], 101);
    let f = post_raw(
        &url,
        "application/x-www-form-urlencoded",
        &format!("auth={}&CHAT_ID=101", t.access_token),
    )
    .await;
    assert_eq!(f.result()["id"], 101);
    let log = emu.requests();
    assert!(log
        .iter()
        .all(|r| r.auth == AuthKind::OAuth && r.user_id == Some(1)));
    assert!(
        log.iter().all(|r| r.params.get("auth").is_none()),
        "auth must not be logged"
    );
}

#[tokio::test]
async fn expired_token_then_refresh() {
    let emu = start().await;
    let t = emu.issue_tokens();
    assert_eq!(
        oauth(&emu, &t.access_token, DIALOG_GET, &json!({"CHAT_ID": 101}))
            .await
            .status,
        200
    );
    emu.expire_access_tokens();
    oauth(&emu, &t.access_token, DIALOG_GET, &json!({"CHAT_ID": 101}))
        .await
        .assert_error(
            401,
            "expired_token",
            "The access token provided has expired",
        );

    let url = format!(
        "{}?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        emu.oauth_token_url(),
        emu.client_id(),
        emu.client_secret(),
        t.refresh_token
    );
    let r = get(&url).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type.starts_with("application/json"));
    for key in [
        "access_token",
        "refresh_token",
        "expires",
        "expires_in",
        "client_endpoint",
        "server_endpoint",
        "domain",
        "member_id",
        "scope",
        "status",
        "user_id",
    ] {
        assert!(r.json.get(key).is_some(), "missing {key} in {}", r.text);
    }
    assert_eq!(r.json["client_endpoint"], emu.rest_url());
    assert_eq!(r.json["expires_in"], 3600);
    assert_eq!(emu.refresh_count(), 1);
    let new_access = r.json["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new_access, t.access_token);
    let ok = oauth(&emu, &new_access, DIALOG_GET, &json!({"CHAT_ID": 101})).await;
    assert_eq!(ok.result()["id"], 101);

    // Refresh tokens are single-use.
    let again = get(&url).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.error(), "invalid_grant");
    assert_eq!(emu.refresh_count(), 2);

    // The new refresh token works once.
    let next = get(&format!(
        "{}?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        emu.oauth_token_url(),
        emu.client_id(),
        emu.client_secret(),
        r.json["refresh_token"].as_str().unwrap()
    ))
    .await;
    assert_eq!(next.status, 200);
}

#[tokio::test]
async fn token_endpoint_errors() {
    let emu = start().await;
    let t = emu.issue_tokens();
    let base = emu.oauth_token_url();
    let bad_secret = get(&format!(
        "{base}?grant_type=refresh_token&client_id={}&client_secret=nope&refresh_token={}",
        emu.client_id(),
        t.refresh_token
    ))
    .await;
    assert_eq!(
        (bad_secret.status, bad_secret.error()),
        (401, "invalid_client")
    );
    let bad_client = get(&format!(
        "{base}?grant_type=refresh_token&client_id=nope&client_secret={}&refresh_token={}",
        emu.client_secret(),
        t.refresh_token
    ))
    .await;
    assert_eq!(
        (bad_client.status, bad_client.error()),
        (401, "invalid_client")
    );
    let bad_refresh = get(&format!(
        "{base}?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token=nope",
        emu.client_id(),
        emu.client_secret()
    ))
    .await;
    assert_eq!(
        (bad_refresh.status, bad_refresh.error()),
        (400, "invalid_grant")
    );
    let no_grant = get(&base).await;
    assert_eq!(
        (no_grant.status, no_grant.error()),
        (400, "invalid_request")
    );
    assert!(bad_refresh.json["error_description"].is_string());
    assert_eq!(emu.refresh_count(), 4);
    // The refresh token was not used up by the failed attempts.
    let ok = get(&format!(
        "{base}?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        emu.client_id(),
        emu.client_secret(),
        t.refresh_token
    ))
    .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn short_ttl_expires_by_itself() {
    let emu = start_with(Config {
        access_token_ttl: Duration::from_millis(50),
        ..Config::default()
    })
    .await;
    let t = emu.issue_tokens();
    tokio::time::sleep(Duration::from_millis(120)).await;
    oauth(&emu, &t.access_token, DIALOG_GET, &json!({"CHAT_ID": 101}))
        .await
        .assert_error(
            401,
            "expired_token",
            "The access token provided has expired",
        );
}

#[tokio::test]
async fn concurrent_expired_calls_all_see_expired_token() {
    let emu = start().await;
    let t = emu.issue_tokens();
    emu.expire_access_tokens();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let emu = emu.clone();
        let token = t.access_token.clone();
        tasks.push(tokio::spawn(async move {
            oauth(&emu, &token, DIALOG_GET, &json!({"CHAT_ID": 101})).await
        }));
    }
    for task in tasks {
        let r = task.await.unwrap();
        assert_eq!((r.status, r.error()), (401, "expired_token"));
    }
    assert_eq!(emu.refresh_count(), 0);
}
