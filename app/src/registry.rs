//! The registry an application uses: its portals in a [`Store`], a client per portal whose
//! token refreshes go through the store, and the expected `application_token` of each portal.

use crate::bucket::SharedBucket;
use crate::portal::{Portal, Status};
use crate::store::{RefreshError, RenewFn, Store, StoreError};
use bitrix_api::events::{AppTokens, LookupError, Portal as EventPortal};
use bitrix_api::install::{Installation, Uninstall};
use bitrix_api::oauth::{OAuthServer, RenewFuture, Renewer};
use bitrix_api::{
    AuthError, Client, ClientBuilder, ConfigError, OAuthConfig, RateLimit, RenewerError, Secret,
    Tokens,
};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// The application's OAuth credentials, shared by all its portals.
#[derive(Clone, Debug)]
pub struct AppCredentials {
    /// The application's client id.
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: Secret,
    /// The OAuth server's token URL (default [`bitrix_api::oauth::DEFAULT_TOKEN_URL`]).
    pub token_url: String,
}

impl AppCredentials {
    /// Credentials for the default OAuth server.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        AppCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_url: bitrix_api::oauth::DEFAULT_TOKEN_URL.to_string(),
        }
    }

    /// Uses another OAuth server (a test emulator, a self-hosted portal).
    #[must_use]
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }
}

/// Why [`Portals::client`] gave no client.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// No portal with this `member_id` is installed.
    NotInstalled(String),
    /// The portal's refresh token was refused: it must be installed again.
    NeedsReinstall {
        /// The portal.
        member_id: String,
        /// Why, in words.
        reason: String,
    },
    /// The store failed.
    Store(StoreError),
    /// The stored endpoint or the token URL is not usable.
    Config(ConfigError),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::NotInstalled(m) => write!(f, "no portal with member_id {m} is installed"),
            ClientError::NeedsReinstall { member_id, reason } => {
                write!(f, "portal {member_id} needs reinstalling: {reason}")
            }
            ClientError::Store(e) => e.fmt(f),
            ClientError::Config(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ClientError {}

/// The portals an application is installed on. Cheap to clone.
#[derive(Clone)]
pub struct Portals {
    store: Arc<dyn Store>,
    app: AppCredentials,
    /// With [`Portals::shared_rate_limit`]: the limit every portal's shared bucket mirrors.
    shared_limit: Option<RateLimit>,
    /// The shared bucket of each portal a client was made for, one per portal in this process.
    buckets: Arc<Mutex<HashMap<String, Arc<SharedBucket>>>>,
}

impl fmt::Debug for Portals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Portals")
            .field("client_id", &self.app.client_id)
            .field("token_url", &self.app.token_url)
            .field("shared_limit", &self.shared_limit)
            .finish_non_exhaustive()
    }
}

impl Portals {
    /// A registry over `store` for the application `app`.
    pub fn new(store: impl Store + 'static, app: AppCredentials) -> Self {
        Self::shared(Arc::new(store), app)
    }

    /// A registry over a store shared with other code.
    pub fn shared(store: Arc<dyn Store>, app: AppCredentials) -> Self {
        Portals {
            store,
            app,
            shared_limit: None,
            buckets: Arc::default(),
        }
    }

    /// Paces the clients of [`Portals::client`] with each portal's request bucket kept in the
    /// store ([`SharedBucket`]), mirroring `limit`: every process that shares the store stays
    /// under the portal's limit together. Without it each client has its own in-process bucket
    /// (the client's default). Every process must use the same `limit` for a portal.
    #[must_use]
    pub fn shared_rate_limit(mut self, limit: RateLimit) -> Self {
        self.shared_limit = Some(limit);
        // Buckets made for another limit (by a clone) are not this registry's.
        self.buckets = Arc::default();
        self
    }

    /// The shared request bucket of portal `member_id`, the one this process's clients of it
    /// use; `None` without [`Portals::shared_rate_limit`].
    pub fn shared_bucket(&self, member_id: &str) -> Option<Arc<SharedBucket>> {
        let limit = self.shared_limit?;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets
            .entry(member_id.to_string())
            .or_insert_with(|| Arc::new(SharedBucket::new(self.store.clone(), member_id, limit)));
        Some(bucket.clone())
    }

    /// The store underneath.
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// Records an installation (idempotent: a repeated one keeps one record and its values).
    pub async fn install(&self, installation: &Installation) -> Result<(), StoreError> {
        self.store.install(installation).await
    }

    /// The portal `member_id`, if installed.
    pub async fn get(&self, member_id: &str) -> Result<Option<Portal>, StoreError> {
        self.store.get(member_id).await
    }

    /// Every installed portal.
    pub async fn list(&self) -> Result<Vec<Portal>, StoreError> {
        self.store.list().await
    }

    /// Forgets a portal's tokens, and its values unless `keep_values`. Whether it was there.
    pub async fn uninstall(&self, member_id: &str, keep_values: bool) -> Result<bool, StoreError> {
        self.store.uninstall(member_id, keep_values).await
    }

    /// Applies a checked `ONAPPUNINSTALL` ([`bitrix_api::install::AppEvent::Uninstalled`]):
    /// forgets the portal, and its values too when the user asked to delete the application's
    /// data ([`Uninstall::clean`]). Whether the portal was there; an event without a
    /// `member_id` changes nothing.
    pub async fn uninstalled(&self, uninstall: &Uninstall) -> Result<bool, StoreError> {
        match uninstall.member_id.as_deref() {
            Some(member_id) => self.store.uninstall(member_id, !uninstall.clean).await,
            None => Ok(false),
        }
    }

    /// Sets one of the application's values for an installed portal.
    pub async fn set_value(
        &self,
        member_id: &str,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        self.store.set_value(member_id, key, Some(value)).await
    }

    /// Removes one of the application's values.
    pub async fn remove_value(&self, member_id: &str, key: &str) -> Result<(), StoreError> {
        self.store.set_value(member_id, key, None).await
    }

    /// One of the application's values for a portal.
    pub async fn value(&self, member_id: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.store.value(member_id, key).await
    }

    /// A client for the portal `member_id` with the default settings (see
    /// [`Portals::client_builder`]).
    pub async fn client(&self, member_id: &str) -> Result<Client, ClientError> {
        self.client_builder(member_id)
            .await?
            .build()
            .map_err(ClientError::Config)
    }

    /// A client builder for the portal `member_id`, with its stored pair and a renewer that
    /// refreshes through the store (once for every process that shares it), and the portal's
    /// shared request bucket after [`Portals::shared_rate_limit`]. Refused for a portal that
    /// needs reinstalling.
    pub async fn client_builder(&self, member_id: &str) -> Result<ClientBuilder, ClientError> {
        let portal = self
            .store
            .get(member_id)
            .await
            .map_err(ClientError::Store)?
            .ok_or_else(|| ClientError::NotInstalled(member_id.to_string()))?;
        if let Status::NeedsReinstall { reason } = portal.status {
            return Err(ClientError::NeedsReinstall {
                member_id: member_id.to_string(),
                reason,
            });
        }
        let cfg = OAuthConfig::new(
            portal.installation.client_endpoint,
            self.app.client_id.clone(),
            self.app.client_secret.clone(),
        )
        .token_url(self.app.token_url.clone());
        let builder = Client::oauth_builder(cfg, portal.installation.tokens).renewer(Arc::new(
            PortalRenewer {
                store: self.store.clone(),
                member_id: member_id.to_string(),
            },
        ));
        Ok(match self.shared_bucket(member_id) {
            Some(bucket) => builder.request_bucket(bucket),
            None => builder,
        })
    }
}

/// Renews a portal's pair through the store.
struct PortalRenewer {
    store: Arc<dyn Store>,
    member_id: String,
}

impl Renewer for PortalRenewer {
    fn renew<'a>(&'a self, stale: &'a Tokens, server: OAuthServer<'a>) -> RenewFuture<'a> {
        Box::pin(async move {
            let renew: RenewFn<'a> =
                Box::new(move |refresh| Box::pin(async move { server.refresh(&refresh).await }));
            self.store
                .refresh(&self.member_id, &stale.refresh_token, renew)
                .await
                .map_err(|e| to_auth(&self.member_id, e))
        })
    }
}

/// A failed registry refresh as the client reports it.
fn to_auth(member_id: &str, e: RefreshError) -> AuthError {
    match e {
        RefreshError::Auth(e) => e,
        RefreshError::NeedsReinstall { reason } => AuthError::Renewer(RenewerError {
            reason: format!("portal {member_id} needs reinstalling: {reason}"),
            permanent: true,
        }),
        RefreshError::Store(e @ StoreError::NotInstalled(_)) => AuthError::Renewer(RenewerError {
            reason: e.to_string(),
            permanent: true,
        }),
        RefreshError::Store(e) => AuthError::Renewer(RenewerError {
            reason: e.to_string(),
            permanent: false,
        }),
    }
}

/// The expected `application_token` of each installed portal, by the event's `member_id`.
impl AppTokens for Portals {
    fn application_token(
        &self,
        portal: EventPortal<'_>,
    ) -> impl Future<Output = Result<Option<Secret>, LookupError>> + Send {
        let member_id = portal.member_id.map(String::from);
        async move {
            let Some(member_id) = member_id else {
                return Ok(None);
            };
            let portal = self.store.get(&member_id).await?;
            Ok(portal.and_then(|p| p.installation.application_token))
        }
    }
}
