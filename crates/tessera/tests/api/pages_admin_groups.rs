//! The groups and API-key admin pages: creating, renaming, featuring and deleting groups (the
//! built-in ones refused with the domain's message), members added by email and removed, API keys
//! created and regenerated with the key shown once, deleted; every action refused without the
//! page's form token, changing nothing.

use crate::common::{Backend, TestApp};
use crate::on_both_backends;
use crate::pages_admin::{act, with_admin, REFUSED};
use crate::pages_browser::Page;
use tessera_domain::types::ids::ADMIN_GROUP;

async fn group_named(app: &TestApp, name: &str) -> Option<tessera_domain::types::group::Group> {
    let groups = app.auth.groups.list().await.unwrap();
    groups.into_iter().find(|g| g.name == name)
}

/// The value of the read-only field that shows a secret once.
fn secret(page: &Page) -> String {
    let at = page.body.find(r#"id="secret""#).expect("a secret field");
    let rest = &page.body[at..];
    rest.split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

async fn groups_are_created_renamed_featured_and_deleted(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let fields = [
        ("name", "Analysts"),
        ("features", "reports, export reports"),
    ];
    let refused = admin.post("/admin/groups", &fields).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains(REFUSED));
    assert!(group_named(&app, "Analysts").await.is_none());

    let created = act(&admin, "/admin/groups", "/admin/groups", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let group = group_named(&app, "Analysts").await.unwrap();
    assert_eq!(group.features, ["export", "reports"]);
    let path = format!("/admin/groups/{}", group.id.0);
    assert_eq!(created.location(), format!("{path}?done=created"));
    let list = admin.get("/admin/groups").await;
    assert!(list.body.contains("Analysts") && list.body.contains("export, reports"));

    let taken = act(
        &admin,
        "/admin/groups",
        "/admin/groups",
        &[("name", "analysts ")],
    )
    .await;
    assert!(
        taken.status == 400 || taken.status == 303,
        "{}",
        taken.status
    );
    let empty = act(&admin, "/admin/groups", "/admin/groups", &[("name", "  ")]).await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("Enter a name for the group"));

    let renamed = act(
        &admin,
        &path,
        &path,
        &[("name", "Readers"), ("features", "read")],
    )
    .await;
    assert_eq!(renamed.location(), format!("{path}?done=saved"));
    let group = app.auth.groups.get(group.id).await.unwrap().0;
    assert_eq!(
        (group.name.as_str(), group.features.as_slice()),
        ("Readers", ["read".to_string()].as_slice())
    );

    let refused = admin.post(&format!("{path}/delete"), &[]).await;
    assert_eq!(refused.status, 403);
    assert!(app.auth.groups.get(group.id).await.is_ok());
    let deleted = act(&admin, &path, &format!("{path}/delete"), &[]).await;
    assert_eq!(deleted.location(), "/admin/groups?done=deleted");
    assert!(app.auth.groups.get(group.id).await.is_err());
}

async fn built_in_groups_keep_their_names_and_stay(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let path = format!("/admin/groups/{}", ADMIN_GROUP.0);
    let page = admin.get(&path).await;
    assert!(page.body.contains("Built-in") && !page.body.contains("Delete group"));
    let renamed = act(&admin, &path, &path, &[("name", "Bosses")]).await;
    assert_eq!(renamed.status, 400);
    assert!(
        renamed
            .body
            .contains("cannot be renamed, emptied or deleted"),
        "{}",
        renamed.body
    );
    let deleted = act(&admin, &path, &format!("{path}/delete"), &[]).await;
    assert_eq!(deleted.status, 400);
    assert_eq!(
        app.auth.groups.get(ADMIN_GROUP).await.unwrap().0.name,
        "Administrators"
    );
}

async fn members_are_added_by_email_and_removed(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let pat = app.create_user("pat@example.com", false).await;
    let group = app.auth.groups.create("Analysts", &[]).await.unwrap();
    let path = format!("/admin/groups/{}", group.id.0);
    let members = format!("{path}/members");
    let refused = admin.post(&members, &[("email", "pat@example.com")]).await;
    assert_eq!(refused.status, 403);
    assert!(app.auth.groups.get(group.id).await.unwrap().1.is_empty());
    let nobody = act(&admin, &path, &members, &[("email", "nobody@example.com")]).await;
    assert_eq!(nobody.status, 400);
    assert!(nobody.body.contains("Nobody has that email address"));
    let added = act(&admin, &path, &members, &[("email", "PAT@example.com")]).await;
    assert_eq!(added.location(), format!("{path}?done=member-added"));
    let (_, list) = app.auth.groups.get(group.id).await.unwrap();
    assert_eq!(list.iter().map(|m| m.user_id.0).collect::<Vec<_>>(), [pat]);
    let page = admin.get(&path).await;
    assert!(page.body.contains("pat@example.com") && page.body.contains("1 member"));

    let remove = format!("{members}/{}/remove", list[0].membership_id.0);
    let refused = admin.post(&remove, &[("csrf_token", "x")]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(app.auth.groups.get(group.id).await.unwrap().1.len(), 1);
    // A membership of another group is not this page's to remove.
    let other = format!(
        "/admin/groups/{}/members/{}/remove",
        ADMIN_GROUP.0, list[0].membership_id.0
    );
    assert_eq!(act(&admin, &path, &other, &[]).await.status, 404);
    let removed = act(&admin, &path, &remove, &[]).await;
    assert_eq!(removed.location(), format!("{path}?done=member-removed"));
    assert!(app.auth.groups.get(group.id).await.unwrap().1.is_empty());
}

async fn api_keys_are_shown_once_regenerated_and_deleted(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let fields = [("name", "Reporting"), ("group", "2")];
    let refused = admin.post("/admin/api-keys", &fields).await;
    assert_eq!(refused.status, 403);
    assert!(app.auth.api_keys.list().await.unwrap().is_empty());
    let nameless = act(
        &admin,
        "/admin/api-keys",
        "/admin/api-keys",
        &[("group", "2")],
    )
    .await;
    assert_eq!(nameless.status, 400);
    assert!(nameless.body.contains("Enter a name for the key"));

    let created = act(&admin, "/admin/api-keys", "/admin/api-keys", &fields).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(
        created.location().is_empty(),
        "shown in this response, not behind an address"
    );
    let raw = secret(&created);
    assert!(raw.starts_with("mb_"), "{raw}");
    let me = app
        .http
        .get(app.url("/api/user/current"))
        .header("X-Api-Key", &raw)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the key works");
    let list = admin.get("/admin/api-keys").await;
    assert!(!list.body.contains(&raw), "never shown again");
    assert!(list.body.contains("Reporting") && list.body.contains(&raw[..7]));
    let taken = act(&admin, "/admin/api-keys", "/admin/api-keys", &fields).await;
    assert_eq!(taken.status, 400);
    assert!(taken.body.contains("already exists"));

    let key = app.auth.api_keys.list().await.unwrap().remove(0);
    let regenerate = format!("/admin/api-keys/{}/regenerate", key.id.0);
    let refused = admin.post(&regenerate, &[]).await;
    assert_eq!(refused.status, 403);
    assert!(app
        .auth
        .api_keys
        .authenticate(&raw)
        .await
        .unwrap()
        .is_some());
    let again = act(&admin, "/admin/api-keys", &regenerate, &[]).await;
    assert_eq!(again.status, 200);
    let fresh = secret(&again);
    assert_ne!(fresh, raw);
    assert!(app
        .auth
        .api_keys
        .authenticate(&raw)
        .await
        .unwrap()
        .is_none());
    assert!(app
        .auth
        .api_keys
        .authenticate(&fresh)
        .await
        .unwrap()
        .is_some());
    assert!(!admin.get("/admin/api-keys").await.body.contains(&fresh));

    let delete = format!("/admin/api-keys/{}/delete", key.id.0);
    assert_eq!(admin.post(&delete, &[]).await.status, 403);
    assert_eq!(app.auth.api_keys.list().await.unwrap().len(), 1);
    let deleted = act(&admin, "/admin/api-keys", &delete, &[]).await;
    assert_eq!(deleted.location(), "/admin/api-keys?done=deleted");
    assert!(app.auth.api_keys.list().await.unwrap().is_empty());
    assert!(app
        .auth
        .api_keys
        .authenticate(&fresh)
        .await
        .unwrap()
        .is_none());
}

on_both_backends!(
    groups_are_created_renamed_featured_and_deleted,
    built_in_groups_keep_their_names_and_stay,
    members_are_added_by_email_and_removed,
    api_keys_are_shown_once_regenerated_and_deleted,
);
