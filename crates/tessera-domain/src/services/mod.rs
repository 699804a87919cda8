//! The use cases, one small service per area, each over the same shared [`Deps`]. A service may use
//! a shared policy (`crate::policy`) or a shared step (`credentials`, `links`, `features`), never
//! another service.

pub mod access_tokens;
pub mod api_keys;
mod credentials;
pub mod deps;
mod features;
pub mod groups;
pub mod import;
mod links;
pub mod passwords;
pub mod people;
pub mod personal_keys;
pub mod sessions;
pub mod setup;
pub mod sso;

use self::access_tokens::AccessTokens;
use self::api_keys::ApiKeys;
use self::deps::Deps;
use self::groups::Groups;
use self::import::Import;
use self::passwords::Passwords;
use self::people::People;
use self::personal_keys::PersonalKeys;
use self::sessions::Sessions;
use self::setup::Setup;
use self::sso::SingleSignOn;
use crate::clock::Clock;
use crate::config::AuthConfig;
use crate::policy::hashing::{HashPool, HashPoolStats, Hasher};
use crate::ports::mail::MailRenderer;
use crate::ports::sso::SsoProviders;
use crate::store::Store;
use crate::types::error::Error;
use crate::types::stats::DomainCounters;
use std::sync::Arc;

/// Every service, built once over one set of dependencies; the HTTP state and the CLI hold this.
pub struct Services {
    pub setup: Setup,
    pub sessions: Sessions,
    pub people: People,
    pub groups: Groups,
    pub api_keys: ApiKeys,
    pub personal_keys: PersonalKeys,
    pub passwords: Passwords,
    pub access_tokens: AccessTokens,
    pub sso: SingleSignOn,
    pub import: Import,
    deps: Arc<Deps>,
}

impl Services {
    /// Builds the hashing pool from `config` and every service over the same dependencies.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: AuthConfig,
        renderer: Option<Arc<dyn MailRenderer>>,
        sso: SsoProviders,
    ) -> Result<Self, Error> {
        let hasher = Hasher::new(config.hash).map_err(Error::internal)?;
        let hashes = HashPool::new(hasher, config.hash_workers, config.hash_queue)?;
        let deps = Arc::new(Deps {
            store,
            clock,
            hashes,
            config,
            renderer,
            sso,
            counters: Default::default(),
        });
        Ok(Self {
            setup: Setup::new(deps.clone()),
            sessions: Sessions::new(deps.clone()),
            people: People::new(deps.clone()),
            groups: Groups::new(deps.clone()),
            api_keys: ApiKeys::new(deps.clone()),
            personal_keys: PersonalKeys::new(deps.clone()),
            passwords: Passwords::new(deps.clone()),
            access_tokens: AccessTokens::new(deps.clone()),
            sso: SingleSignOn::new(deps.clone()),
            import: Import::new(deps.clone()),
            deps,
        })
    }

    /// The settings the services run with.
    pub fn config(&self) -> &AuthConfig {
        &self.deps.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.deps.clock
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.deps.store
    }

    /// Whether passwords sign people in (`MB_ENABLE_PASSWORD_LOGIN`, honoured only with single
    /// sign-on configured).
    pub fn password_login_allowed(&self) -> bool {
        self.deps.password_login_allowed()
    }

    /// Whether mail can be sent at all (`MB_EMAIL_SMTP_HOST` set).
    pub fn mail_configured(&self) -> bool {
        self.deps.mail_configured()
    }

    /// The credential cache's counters (`None` over a store without one).
    pub fn cache_stats(&self) -> Option<crate::store::CacheStats> {
        self.deps.store.cache_stats()
    }

    /// argon2 password verifications run since start: tests count them to prove every failed
    /// password check costs one, whoever it names.
    pub fn password_verifications(&self) -> u64 {
        self.deps.hashes.verifications()
    }

    /// What the domain counted for operators since start: failed password checks by reason and
    /// throttle refusals by scope.
    pub fn counters(&self) -> &DomainCounters {
        &self.deps.counters
    }

    /// The password-hashing pool's load: waiting, running, time spent waiting, refusals.
    pub fn hash_pool_stats(&self) -> HashPoolStats {
        self.deps.hashes.stats()
    }
}
