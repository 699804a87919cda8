//! The OpenAPI 3.1 document of every JSON route, generated from the handlers and served without
//! authentication at `GET /api/docs/openapi.json`.
//!
//! Every API route is registered through `utoipa_axum`'s `OpenApiRouter` with `routes!(handler)`,
//! which takes the method and path from the handler's `#[utoipa::path(...)]` attribute: a route is
//! served exactly when it is documented. To add one: annotate the handler (method, path, tag, request
//! body, success answer, the shared error groups from [`responses`], security), then register it
//! with `.routes(routes!(handler))` — one `routes!` per path, never plain `.route(...)`. The web pages
//! (`routes/ui/*`, `text/html` forms for people) are not part of the document.

pub mod metabase;
pub mod own;
pub mod responses;
pub mod tokens;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};

pub const PATH: &str = "/api/docs/openapi.json";

/// Names of the security schemes, as operations list them in `security(...)`.
pub const SESSION_HEADER: &str = "session_header";
pub const SESSION_COOKIE: &str = "session_cookie";
pub const API_KEY: &str = "api_key";
pub const ACCESS_TOKEN: &str = "access_token";

/// The document before any route is added: what Tessera is, how callers authenticate, the tags.
pub fn base() -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Tessera")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Authentication and sessions: a Metabase-compatible API under /api, a token API \
                     under /users, and Tessera's own routes. Metabase answers some refusals in plain \
                     text (`Unauthenticated`, `You don't have permissions to do that.`, `Not found.`); \
                     the responses below say which.",
                ))
                .license(Some(utoipa::openapi::License::new("Apache-2.0")))
                .build(),
        )
        .tags(Some(
            [
                ("session", "Metabase: sign in and out, password reset, properties."),
                ("setup", "Metabase: the first admin."),
                ("people", "Metabase: the current user and people management."),
                ("permissions", "Metabase: groups and memberships (admins)."),
                ("api-keys", "Metabase: API keys (admins)."),
                ("tokens", "The token API: access tokens and the Metabase bridge."),
                ("oidc", "OpenID Connect sign-in."),
                ("tessera", "Tessera's own: health, sessions, this document."),
            ]
            .map(|(name, about)| TagBuilder::new().name(name).description(Some(about)).build()),
        ))
        .build();
    let schemes = doc.components.get_or_insert_with(Default::default);
    // Where each key travels; a fn pointer, so one table holds both kinds.
    type Place = fn(ApiKeyValue) -> ApiKey;
    let (header, cookie): (Place, Place) = (ApiKey::Header, ApiKey::Cookie);
    for (name, place, key, about) in [
        (SESSION_HEADER, header, "X-Metabase-Session", "A session key from `POST /api/session`; wins over the cookie."),
        (SESSION_COOKIE, cookie, "metabase.SESSION", "The session cookie of pages and browsers. A state-changing request signed in by it must come from this site."),
        (API_KEY, header, "X-API-KEY", "A Metabase API key (`mb_…`), tried when no session matched."),
        (ACCESS_TOKEN, header, "X-Access-Token", "An access token from `POST /users/login`."),
    ] {
        let scheme = place(ApiKeyValue::with_description(key, about));
        schemes.add_security_scheme(name, SecurityScheme::ApiKey(scheme));
    }
    doc
}

/// The last touches once every route is in: each operation's id becomes its method and path
/// (`put_api_user_id`), unique by construction (handler names repeat across modules).
pub fn finish(mut doc: OpenApi) -> OpenApi {
    for (path, item) in doc.paths.paths.iter_mut() {
        let slug: String = path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let slug = slug
            .split('_')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        for (method, op) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ] {
            if let Some(op) = op {
                op.operation_id = Some(format!("{method}_{slug}"));
            }
        }
    }
    doc
}

/// `GET /api/docs/openapi.json`: this document, rendered at the first request. It depends on the
/// code alone, so one rendering serves every app in the process.
#[utoipa::path(get, path = "/api/docs/openapi.json", tag = "tessera",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object)))]
pub async fn serve() -> impl IntoResponse {
    static RENDERED: OnceLock<Bytes> = OnceLock::new();
    let doc = RENDERED.get_or_init(|| {
        Bytes::from(
            crate::openapi_document()
                .to_json()
                .unwrap_or_default()
                .into_bytes(),
        )
    });
    ([(CONTENT_TYPE, "application/json")], doc.clone())
}

/// Every documented operation as `(METHOD, path template)`, sorted.
pub fn operations(doc: &OpenApi) -> Vec<(String, String)> {
    let mut ops: Vec<(String, String)> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = serde_json::to_value(item).unwrap_or_default();
            let methods: Vec<String> = methods
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            methods
                .into_iter()
                .filter(|m| {
                    [
                        "get", "put", "post", "delete", "patch", "head", "options", "trace",
                    ]
                    .contains(&m.as_str())
                })
                .map(move |m| (m.to_ascii_uppercase(), path.clone()))
        })
        .collect();
    ops.sort();
    ops
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every `.rs` file under `dir`, recursively.
    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// A route added with plain `.route(...)` (or nested, or a service) would be served without
    /// being documented. Only the web pages under `routes/ui/` and the metrics listener's router
    /// (never on the public listener) may do that: they are not in the document by design.
    #[test]
    fn outside_the_pages_routes_are_only_registered_through_routes_macro() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        sources(&src, &mut files);
        let pages = src.join("routes").join("ui");
        let metrics = src.join("metrics").join("scrape.rs");
        let mut offenders = vec![];
        for file in files
            .iter()
            .filter(|f| !f.starts_with(&pages) && **f != metrics)
        {
            let text = std::fs::read_to_string(file).unwrap();
            for needle in [".route(", ".route_service(", ".nest(\"/", ".nest_service("] {
                if text.contains(needle) && !file.ends_with("openapi/mod.rs") {
                    offenders.push(format!("{} uses {needle}", file.display()));
                }
            }
        }
        assert!(offenders.is_empty(), "{offenders:#?}");
    }

    /// Every `$ref` points at a schema the document holds.
    #[test]
    fn every_reference_resolves() {
        let json = serde_json::to_string(&crate::openapi_document()).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        for part in json.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{name} is referenced but not in the document"
            );
        }
    }

    #[test]
    fn the_document_names_its_security_schemes_and_operations() {
        let doc = crate::openapi_document();
        let json = serde_json::to_value(&doc).unwrap();
        assert!(json["openapi"].as_str().unwrap().starts_with("3.1"));
        let schemes = &json["components"]["securitySchemes"];
        assert_eq!(schemes["session_header"]["name"], "X-Metabase-Session");
        assert_eq!(schemes["session_cookie"]["in"], "cookie");
        assert_eq!(schemes["api_key"]["name"], "X-API-KEY");
        assert_eq!(schemes["access_token"]["name"], "X-Access-Token");
        let ops = super::operations(&doc);
        assert!(ops.contains(&("GET".into(), super::PATH.into())), "{ops:?}");
        assert!(
            ops.contains(&("PATCH".into(), "/users/login".into())),
            "{ops:?}"
        );
        // A plain-text refusal is documented as such.
        let current = &json["paths"]["/api/user/current"]["get"]["responses"]["401"]["content"];
        assert!(current.get("text/plain").is_some(), "{current}");
    }
}
