//! A request body through the real JSON extractor, then every field validator over the object.
//! Properties: the extractor agrees with serde_json about what is an object; every value a
//! validator lets through is within the bounds it promises; `finish` fails exactly when a problem
//! was recorded.
#![no_main]

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;
use tessera_domain::policy::password::PasswordPolicy;
use tessera_domain::types::group::is_valid_feature;
use tessera_domain::types::ids::GroupId;
use tessera_domain::types::text::{is_valid_name, is_valid_username, LOGIN_ATTRIBUTES_MAX};
use tessera_domain::types::user::is_valid_email;
use tessera_http::extract::{normalize_locale, Fields, JsonObject};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let req = Request::builder()
        .method("POST")
        .header("content-type", "application/json")
        .body(Body::from(data.to_vec()))
        .expect("a request");
    let extracted = runtime().block_on(JsonObject::from_request(req, &()));
    let parsed = serde_json::from_slice::<Value>(data);
    let obj = match extracted {
        Ok(JsonObject(obj)) => {
            if data.iter().all(u8::is_ascii_whitespace) {
                assert!(obj.is_empty());
            } else {
                assert_eq!(parsed.ok(), Some(Value::Object(obj.clone())));
            }
            obj
        }
        Err(_) => {
            assert!(
                !matches!(parsed, Ok(Value::Object(_))),
                "an object was refused"
            );
            return;
        }
    };
    let mut f = Fields::new(&obj);
    let mut ok = true;
    if let Some(u) = f.username("username") {
        assert!(is_valid_username(&u));
    }
    if let Some(e) = f.email("email") {
        assert!(is_valid_email(&e) && e.len() <= 254 && e == e.trim());
    }
    if let Some(n) = f.name("first_name") {
        assert!(is_valid_name(&n));
    }
    if let Some(Some(n)) = f.nullable_name("last_name") {
        assert!(is_valid_name(&n));
    }
    if let Some(p) = f.password("password", &PasswordPolicy::default()) {
        assert!(PasswordPolicy::default().accepts(&p));
    }
    if let Some(s) = f.non_blank_secret("token") {
        assert!(!s.trim().is_empty());
    }
    if let Some(ids) = f.group_ids("group_ids") {
        assert!(ids.iter().all(|GroupId(n)| *n > 0));
    }
    if let Some(Some(text)) = f.nullable_object_text("login_attributes") {
        assert!(text.len() <= LOGIN_ATTRIBUTES_MAX);
        assert!(matches!(
            serde_json::from_str::<Value>(&text),
            Ok(Value::Object(_))
        ));
    }
    if let Some(Some(locale)) = f.nullable_locale("locale") {
        assert_eq!(normalize_locale(&locale).as_deref(), Some(locale.as_str()));
    }
    if let Some(features) = f.features("features") {
        assert!(features.iter().all(|x| is_valid_feature(x)));
    }
    if let Some(n) = f.optional_positive_int::<i64>("id") {
        assert!(n > 0);
    }
    let _ = f.optional_bool("is_superuser");
    let _ = f.truthy("remember");
    ok &= f.errors.errors.is_empty();
    assert_eq!(f.finish(Some(())).is_ok(), ok);
});
