//! The SQL both database stores run. Written with SQLite's `?N` parameters; the PostgreSQL
//! store turns them into `$N` (see [`postgres`]).

/// The schema, one step per version; a store applies the steps past the version it finds.
pub(crate) const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE bitrix_portals (
    member_id TEXT PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL,
    client_endpoint TEXT NOT NULL,
    server_endpoint TEXT NOT NULL,
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at BIGINT,
    application_token TEXT,
    scopes TEXT NOT NULL,
    reinstall_reason TEXT,
    updated_at BIGINT NOT NULL
);
CREATE TABLE bitrix_portal_values (
    member_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (member_id, key)
);
",
    "
ALTER TABLE bitrix_portals ADD COLUMN app_status TEXT;
ALTER TABLE bitrix_portals ADD COLUMN user_id BIGINT;
ALTER TABLE bitrix_portals ADD COLUMN language TEXT;
",
    "
CREATE TABLE bitrix_rate_buckets (
    member_id TEXT PRIMARY KEY NOT NULL,
    level DOUBLE PRECISION NOT NULL,
    level_at DOUBLE PRECISION NOT NULL
);
",
];

/// Records an installation: one row per portal. A reinstall folds in as
/// [`bitrix_api::install::Installation::merge`] does (the later tokens, expiry and addresses
/// win; values the later request lacks are kept) and makes the portal active again. A missing
/// `server_endpoint` is stored as `''`.
pub(crate) const UPSERT: &str = "
INSERT INTO bitrix_portals (member_id, domain, client_endpoint, server_endpoint, access_token,
    refresh_token, expires_at, application_token, scopes, reinstall_reason, updated_at,
    app_status, user_id, language)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10, ?11, ?12, ?13)
ON CONFLICT (member_id) DO UPDATE SET
    domain = excluded.domain,
    client_endpoint = excluded.client_endpoint,
    server_endpoint = CASE WHEN excluded.server_endpoint = '' THEN bitrix_portals.server_endpoint
        ELSE excluded.server_endpoint END,
    access_token = excluded.access_token,
    refresh_token = excluded.refresh_token,
    expires_at = excluded.expires_at,
    application_token = COALESCE(excluded.application_token, bitrix_portals.application_token),
    scopes = CASE WHEN excluded.scopes = '' THEN bitrix_portals.scopes ELSE excluded.scopes END,
    reinstall_reason = NULL,
    updated_at = excluded.updated_at,
    app_status = COALESCE(excluded.app_status, bitrix_portals.app_status),
    user_id = COALESCE(excluded.user_id, bitrix_portals.user_id),
    language = COALESCE(excluded.language, bitrix_portals.language)";

/// The columns of a portal row, in the order the stores read them.
pub(crate) const PORTAL_COLUMNS: &str = "member_id, domain, client_endpoint, server_endpoint, \
    access_token, refresh_token, expires_at, application_token, scopes, reinstall_reason, \
    app_status, user_id, language";

/// The token state of one portal (the stores add their own lock clause).
pub(crate) const LOCK_ROW: &str = "SELECT access_token, refresh_token, expires_at, \
    reinstall_reason FROM bitrix_portals WHERE member_id = ?1";

/// Stores a renewed pair.
pub(crate) const STORE_TOKENS: &str = "UPDATE bitrix_portals SET access_token = ?2, \
    refresh_token = ?3, expires_at = ?4, updated_at = ?5 WHERE member_id = ?1";

/// Marks a portal as needing reinstallation.
pub(crate) const MARK_REINSTALL: &str = "UPDATE bitrix_portals SET reinstall_reason = ?2, \
    updated_at = ?3 WHERE member_id = ?1";

/// A portal's request bucket: its level and the level's time (seconds since the Unix epoch).
pub(crate) const BUCKET: &str =
    "SELECT level, level_at FROM bitrix_rate_buckets WHERE member_id = ?1";

/// Stores a portal's request bucket.
pub(crate) const STORE_BUCKET: &str = "
INSERT INTO bitrix_rate_buckets (member_id, level, level_at) VALUES (?1, ?2, ?3)
ON CONFLICT (member_id) DO UPDATE SET level = excluded.level, level_at = excluded.level_at";

/// Deletes a portal's row.
pub(crate) const DELETE_PORTAL: &str = "DELETE FROM bitrix_portals WHERE member_id = ?1";

/// Deletes a portal's values.
pub(crate) const DELETE_VALUES: &str = "DELETE FROM bitrix_portal_values WHERE member_id = ?1";

/// Sets one value of an installed portal.
pub(crate) const SET_VALUE: &str = "
INSERT INTO bitrix_portal_values (member_id, key, value)
SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM bitrix_portals WHERE member_id = ?1)
ON CONFLICT (member_id, key) DO UPDATE SET value = excluded.value";

/// Removes one value.
pub(crate) const DELETE_VALUE: &str =
    "DELETE FROM bitrix_portal_values WHERE member_id = ?1 AND key = ?2";

/// Reads one value.
pub(crate) const VALUE: &str =
    "SELECT value FROM bitrix_portal_values WHERE member_id = ?1 AND key = ?2";

/// Reads a portal's values.
pub(crate) const VALUES: &str =
    "SELECT key, value FROM bitrix_portal_values WHERE member_id = ?1 ORDER BY key";

/// The same statement with PostgreSQL's `$N` parameters.
#[cfg(feature = "postgres")]
pub(crate) fn postgres(sql: &str) -> String {
    sql.replace('?', "$")
}
