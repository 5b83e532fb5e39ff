//! Installing the application on a portal: the install handler's input, confirmed with the
//! OAuth server, as one [`Installation`] record; and `ONAPPUNINSTALL`.
//!
//! A portal hands an application its first tokens in one of two ways, both a POST to a URL
//! named in the application's settings:
//!
//! - the **install wizard** (an application with an interface): the first page opened in the
//!   portal's frame gets `AUTH_ID`, `AUTH_EXPIRES`, `REFRESH_ID`, `member_id`, `status`,
//!   `PLACEMENT`, … in the form body and `DOMAIN`, `PROTOCOL`, `LANG`, `APP_SID` in the query;
//! - the **installation callback** (an application without an interface): an `ONAPPINSTALL`
//!   event whose `auth` block holds the portal, the tokens and the `application_token`. The
//!   same event reaches a handler bound to `ONAPPINSTALL`.
//!
//! [`parse`] reads either into an [`InstallRequest`] (framework-free: query, content type,
//! raw body, parsed by the PHP rules of [`events::parse_form`](crate::events::parse_form));
//! [`Installer::verify`] confirms it with the OAuth server (the request's refresh token is
//! traded for a new pair; the answer must name the same `member_id` and domain) and gives the
//! [`Installation`]; [`Installer::receive`] does both. A later request of the same portal is
//! folded into the stored record with [`Installation::merge`], so a repeated install keeps
//! one record. The authorization-code exchange of an application outside the portal is
//! [`OAuthApp::exchange_code`](crate::oauth::OAuthApp::exchange_code).
//!
//! `ONAPPUNINSTALL` is an ordinary event checked against the portal's stored
//! `application_token`: [`uninstall`] (or [`Uninstall::from_event`] on a received event)
//! says which portal left and whether the user asked to delete its data (`CLEAN`). An
//! application that binds every event to one URL hands each body to
//! [`Installer::receive_event`], which sorts `ONAPPINSTALL` (confirmed with the OAuth server),
//! `ONAPPUNINSTALL` and the rest (both checked against the stored token) into an [`AppEvent`].
//!
//! ```no_run
//! # async fn run(query: Option<&str>, content_type: &str, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix_api::install::Installer;
//! use bitrix_api::oauth::OAuthApp;
//!
//! let installer = Installer::new(OAuthApp::new("app.573ad8a0346747.09223434", "client-secret")?);
//! let installation = installer.receive(query, content_type, body).await?;
//! // store `installation` under `installation.member_id`, then call the portal:
//! let client = installation.client_builder(installer.app()).build()?;
//! # Ok(()) }
//! ```
//!
//! With the cargo feature `axum`, `router` serves the install handler.

mod error;
mod installer;
mod record;
mod request;
#[cfg(feature = "axum")]
mod router;
mod uninstall;

pub use error::InstallError;
pub use installer::{AppEvent, Installer};
pub use record::Installation;
pub use request::{parse, InstallKind, InstallRequest};
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use router::{router, status_of};
pub use uninstall::{uninstall, Uninstall};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{FixedToken, Limits, Rejection};
    use crate::oauth::{AppStatus, Tokens};
    use bitrix_emulator::php_query::form_body;
    use serde_json::json;

    const FORM: &str = "application/x-www-form-urlencoded";

    fn install_event() -> serde_json::Value {
        json!({
            "event": "ONAPPINSTALL",
            "data": {"VERSION": "3", "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "de"},
            "ts": "1696527000",
            "auth": {
                "domain": "Some-Domain.bitrix24.com", "scope": "imbot,imopenlines",
                "access_token": "acc-sekrit", "refresh_token": "ref-sekrit", "expires": 1696530600,
                "expires_in": 3600, "server_endpoint": "https://oauth.bitrix.info/rest/",
                "status": "F", "client_endpoint": "https://some-domain.bitrix24.com/rest/",
                "member_id": "a223c6b3", "user_id": 7, "application_token": "app-sekrit"
            }
        })
    }

    fn wizard_form() -> serde_json::Value {
        json!({
            "AUTH_ID": "acc-sekrit", "AUTH_EXPIRES": 3600, "REFRESH_ID": "ref-sekrit",
            "SERVER_ENDPOINT": "https://oauth.bitrix.info/rest/", "APPLICATION_TOKEN": "app-sekrit",
            "APPLICATION_SCOPE": "crm,im", "member_id": "a223c6b3", "status": "L",
            "PLACEMENT": "DEFAULT", "PLACEMENT_OPTIONS": "{\"ID\":\"5\"}"
        })
    }

    fn no_secret(shown: &str) {
        for s in ["acc-sekrit", "ref-sekrit", "app-sekrit", "sid-sekrit"] {
            assert!(!shown.contains(s), "{s} in {shown}");
        }
    }

    #[test]
    fn the_installation_callback_is_read_from_its_php_form() {
        let body = form_body(&install_event());
        let r = parse(None, FORM, body.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(r.kind, InstallKind::Event);
        assert_eq!(r.version.as_deref(), Some("3"));
        assert_eq!(r.installed, Some(true));
        let c = &r.claimed;
        assert_eq!(c.member_id, "a223c6b3");
        assert_eq!(c.domain, "some-domain.bitrix24.com");
        assert_eq!(c.client_endpoint, "https://some-domain.bitrix24.com/rest/");
        assert_eq!(c.tokens, Tokens::new("acc-sekrit", "ref-sekrit"));
        assert_eq!(c.expires_at, Some(1696530600));
        assert_eq!(c.application_token, Some("app-sekrit".into()));
        assert_eq!(c.scopes, ["imbot", "imopenlines"]);
        assert_eq!(c.status, Some(AppStatus::F));
        assert_eq!((c.user_id, c.language.as_deref()), (Some(7), Some("de")));
        no_secret(&format!("{r:?}"));

        // The same event as JSON reads the same.
        let json = serde_json::to_vec(&install_event()).unwrap();
        let j = parse(None, "application/json", &json, &Limits::default()).unwrap();
        assert_eq!(j.claimed, r.claimed);
    }

    #[test]
    fn the_wizard_form_takes_domain_and_protocol_from_the_query() {
        let body = form_body(&wizard_form());
        let query = "DOMAIN=portal.example.com%3A8443&PROTOCOL=0&LANG=en&APP_SID=sid-sekrit";
        let r = parse(Some(query), FORM, body.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(r.kind, InstallKind::Wizard);
        let c = &r.claimed;
        assert_eq!(c.domain, "portal.example.com:8443");
        assert_eq!(c.client_endpoint, "http://portal.example.com:8443/rest/");
        assert_eq!(c.tokens, Tokens::new("acc-sekrit", "ref-sekrit"));
        assert_eq!(c.application_token, Some("app-sekrit".into()));
        assert_eq!(c.scopes, ["crm", "im"]);
        assert_eq!(c.status, Some(AppStatus::L));
        assert_eq!(c.language.as_deref(), Some("en"));
        assert!(c.expires_at.is_some());
        assert_eq!(r.placement.as_deref(), Some("DEFAULT"));
        assert_eq!(r.placement_options, Some(json!("{\"ID\":\"5\"}")));
        assert_eq!(r.app_sid, Some("sid-sekrit".into()));
        no_secret(&format!("{r:?}"));

        // The query's DOMAIN wins over one in the body; PROTOCOL absent or 1 is https.
        let mut form = wizard_form();
        form["DOMAIN"] = json!("evil.example");
        let body = form_body(&form);
        let r = parse(
            Some("DOMAIN=p.bitrix24.com"),
            FORM,
            body.as_bytes(),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(r.claimed.client_endpoint, "https://p.bitrix24.com/rest/");
        let r = parse(None, FORM, body.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(
            r.claimed.domain, "evil.example",
            "the body's DOMAIN when the query has none"
        );
    }

    #[test]
    fn incomplete_or_foreign_requests_are_refused_without_secrets() {
        let limits = Limits::default();
        for (field, name) in [
            ("REFRESH_ID", "REFRESH_ID"),
            ("AUTH_ID", "AUTH_ID"),
            ("member_id", "member_id"),
        ] {
            let mut form = wizard_form();
            form.as_object_mut().unwrap().remove(field);
            let body = form_body(&form);
            let e = parse(
                Some("DOMAIN=p.bitrix24.com"),
                FORM,
                body.as_bytes(),
                &limits,
            )
            .unwrap_err();
            assert!(matches!(e, InstallError::Missing(n) if n == name), "{e:?}");
            no_secret(&e.to_string());
        }
        let body = form_body(&wizard_form());
        let e = parse(None, FORM, body.as_bytes(), &limits).unwrap_err();
        assert!(matches!(e, InstallError::Missing("DOMAIN")), "{e:?}");

        for field in ["refresh_token", "member_id", "domain", "application_token"] {
            let mut ev = install_event();
            ev["auth"].as_object_mut().unwrap().remove(field);
            let body = form_body(&ev);
            let e = parse(None, FORM, body.as_bytes(), &limits).unwrap_err();
            assert!(
                matches!(e, InstallError::Missing(n) if n == format!("auth[{field}]")),
                "{field}: {e:?}"
            );
        }
        let mut ev = install_event();
        ev["event"] = json!("ONAPPUPDATE");
        let e = parse(None, FORM, form_body(&ev).as_bytes(), &limits).unwrap_err();
        assert!(
            matches!(&e, InstallError::WrongEvent(n) if n == "ONAPPUPDATE"),
            "{e:?}"
        );
        let e = parse(None, "text/plain", b"x", &limits).unwrap_err();
        assert!(
            matches!(e, InstallError::Rejected(Rejection::WrongContentType(_))),
            "{e:?}"
        );
        let small = Limits {
            max_body: 10,
            ..Limits::default()
        };
        let e = parse(None, FORM, form_body(&wizard_form()).as_bytes(), &small).unwrap_err();
        assert!(
            matches!(e, InstallError::Rejected(Rejection::BodyTooLarge { .. })),
            "{e:?}"
        );
    }

    #[test]
    fn cut_or_garbled_bodies_are_refused_without_panicking() {
        let limits = Limits::default();
        let bodies = [
            form_body(&install_event()),
            form_body(&wizard_form()),
            serde_json::to_string(&install_event()).unwrap(),
        ];
        for body in &bodies {
            let bytes = body.as_bytes();
            for cut in 0..bytes.len() {
                for ct in [FORM, "application/json"] {
                    let _ = parse(Some("DOMAIN=p&PROTOCOL=x"), ct, &bytes[..cut], &limits);
                }
                let mut garbled = bytes.to_vec();
                garbled[cut] = [b'%', b'[', b']', b'&', 0xff][cut % 5];
                let _ = parse(Some(&body[..cut]), FORM, &garbled, &limits);
            }
        }
    }

    #[tokio::test]
    async fn uninstall_is_checked_against_the_stored_token_and_reads_clean() {
        let ev = |clean: i64| {
            form_body(&json!({
                "event": "ONAPPUNINSTALL", "data": {"LANGUAGE_ID": "de", "CLEAN": clean},
                "ts": "1466439714",
                "auth": {"domain": "p.bitrix24.com", "member_id": "m1", "application_token": "app-sekrit"}
            }))
        };
        let limits = Limits::default();
        let tokens = FixedToken::new("app-sekrit");
        let u = uninstall(FORM, ev(1).as_bytes(), &limits, &tokens)
            .await
            .unwrap();
        assert_eq!(
            u,
            Uninstall {
                member_id: Some("m1".into()),
                domain: Some("p.bitrix24.com".into()),
                clean: true,
                language: Some("de".into()),
            }
        );
        let kept = uninstall(FORM, ev(0).as_bytes(), &limits, &tokens)
            .await
            .unwrap();
        assert!(!kept.clean);
        let e = uninstall(FORM, ev(1).as_bytes(), &limits, &FixedToken::new("other"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, InstallError::Rejected(Rejection::WrongToken)),
            "{e:?}"
        );
        let install = form_body(&install_event());
        let e = uninstall(
            FORM,
            install.as_bytes(),
            &limits,
            &FixedToken::new("app-sekrit"),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, InstallError::WrongEvent(_)), "{e:?}");
    }
}
