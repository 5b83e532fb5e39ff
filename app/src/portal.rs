//! One installed portal as the registry keeps it: the installer's record
//! ([`bitrix_api::install::Installation`]), its status and the application's values.

use bitrix_api::install::Installation;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Whether a portal can be called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Its tokens work, as far as the registry knows.
    Active,
    /// The OAuth server refused its refresh token: only a new installation gives new tokens.
    NeedsReinstall {
        /// Why, in words (the OAuth server's refusal); never a token.
        reason: String,
    },
}

/// An installed portal as the registry keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct Portal {
    /// What its (last) installation gave, with the tokens of the last refresh.
    pub installation: Installation,
    /// Whether it can be called.
    pub status: Status,
    /// The application's own values for this portal (the ids of the bots it registered, say).
    pub values: BTreeMap<String, String>,
}

impl Portal {
    /// The portal's `member_id`.
    pub fn member_id(&self) -> &str {
        &self.installation.member_id
    }
}

/// Seconds since the Unix epoch (negative before it), as the stores keep times.
pub(crate) fn to_unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The time `secs` seconds after the Unix epoch.
pub(crate) fn from_unix(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// Scopes as stored: comma-separated.
pub(crate) fn join_scopes(scopes: &[String]) -> String {
    scopes.join(",")
}

/// Scopes from their stored form.
pub(crate) fn split_scopes(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitrix_api::{Secret, Tokens};

    #[test]
    fn times_and_scopes_round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(from_unix(to_unix(t)), t);
        assert_eq!(to_unix(UNIX_EPOCH - Duration::from_secs(5)), -5);
        assert_eq!(from_unix(-5), UNIX_EPOCH - Duration::from_secs(5));
        let scopes = vec!["imbot".to_string(), "imopenlines".to_string()];
        assert_eq!(split_scopes(&join_scopes(&scopes)), scopes);
        assert!(split_scopes("").is_empty());
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut installation = Installation::new(
            "m1",
            "p.example",
            "https://p.example/rest/",
            Tokens::new("acc3ss", "r3fresh"),
        );
        installation.application_token = Some(Secret::new("app-t0ken"));
        let p = Portal {
            installation,
            status: Status::Active,
            values: BTreeMap::new(),
        };
        let shown = format!("{p:?}");
        assert!(shown.contains("p.example"), "{shown}");
        for secret in ["acc3ss", "r3fresh", "app-t0ken"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
