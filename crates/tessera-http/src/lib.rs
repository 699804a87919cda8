//! Tessera's HTTP surfaces. Handlers are thin: extract, make one domain call, map the result.
//! Authentication lives in extractors ([`extract::CurrentUser`], [`extract::Admin`]) so no handler can
//! forget it, and every error leaves through one mapping in [`error`].

mod bridge;
pub mod config;
pub mod cookies;
mod csrf;
pub mod error;
pub mod extract;
mod health;
pub mod metrics;
mod middleware;
pub mod openapi;
mod rendered;
mod routes;
mod timeout;

use axum::Router;
use std::sync::Arc;
use tessera_domain::Services;

pub use config::{ExternalMetabase, HttpConfig, MetabaseAccount, SameSite};
pub use health::Health;
pub use metrics::{metrics_app, Metrics};
pub use rendered::Rendered;

/// The OpenAPI document of every API route, as `GET /api/docs/openapi.json` serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    openapi::finish(routes::api().into_openapi())
}

/// Everything a handler may touch, behind one `Arc`. It is cloned several times per request (the
/// middleware, the router, each extractor), so a clone is one shared count to move, not one per part:
/// the counts are shared between cores, and moving five of them showed in the profile.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl AppState {
    pub fn new(parts: AppParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// What an [`AppState`] holds.
pub struct AppParts {
    pub services: Arc<Services>,
    pub config: Arc<HttpConfig>,
    pub metrics: Arc<Metrics>,
    pub health: Arc<Health>,
    /// Answers kept rendered between requests.
    pub rendered: Arc<Rendered>,
}

/// The whole application, ready to serve with `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn app(state: AppState) -> Router {
    routes::router(state.clone())
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.max_body_bytes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            middleware::around,
        ))
}
