//! Logging in to an external Metabase for `/users/metabase_login` (`TESSERA_METABASE_URL`).

use crate::config::{ExternalMetabase, MetabaseAccount};
use crate::error::ApiError;
use serde_json::{json, Value};
use std::time::Duration;

/// A Metabase session key from the external Metabase for `account`, or `ApiError::Upstream` with what went wrong.
pub async fn log_in(
    upstream: &ExternalMetabase,
    account: &MetabaseAccount,
) -> Result<String, ApiError> {
    let url = format!("{}/api/session", upstream.url.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ApiError::Domain(tessera_domain::Error::internal(e)))?;
    let res = client
        .post(&url)
        .json(&json!({"username": account.username, "password": account.password}))
        .send()
        .await
        .map_err(|_| {
            ApiError::Upstream(format!(
                "Metabase at {} could not be reached.",
                upstream.url
            ))
        })?;
    let status = res.status();
    if !status.is_success() {
        return Err(ApiError::Upstream(format!(
            "Metabase at {} refused the login (status {}).",
            upstream.url,
            status.as_u16()
        )));
    }
    let body: Value = res.json().await.map_err(|_| {
        ApiError::Upstream(format!(
            "Metabase at {} answered the login with something other than JSON.",
            upstream.url
        ))
    })?;
    body["id"].as_str().map(str::to_string).ok_or_else(|| {
        ApiError::Upstream(format!(
            "Metabase at {} returned no session id.",
            upstream.url
        ))
    })
}
