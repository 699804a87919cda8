//! The yardstick: a bare axum server on the same runtime settings as Tessera (tokio's multi-threaded
//! runtime, one worker per core), answering every method and path with the same fixed JSON body of
//! about 300 bytes, shaped like a small user record. Whatever it costs is HTTP, not authentication.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::Router;

pub const BODY: &str = concat!(
    r#"{"id":1,"email":"bench-user-1@example.com","first_name":"Bench","last_name":"User 1","#,
    r#""common_name":"Bench User 1","locale":null,"is_active":true,"is_qbnewb":false,"#,
    r#""is_superuser":false,"user_group_memberships":[{"id":1}],"#,
    r#""date_joined":"2024-01-01T00:00:00Z","last_login":"2024-01-01T00:00:00Z","sso_source":null}"#
);

async fn answer() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], BODY)
}

/// Serves until killed (the harness kills it when the run ends).
pub fn serve(port: u16) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot bind port {port}: {e}"))?;
        axum::serve(listener, Router::new().fallback(answer))
            .await
            .map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_body_is_json_of_about_300_bytes() {
        let v: serde_json::Value = serde_json::from_str(super::BODY).unwrap();
        assert!(v.is_object());
        assert!(
            (280..=340).contains(&super::BODY.len()),
            "{}",
            super::BODY.len()
        );
    }
}
