//! `/admin/people` in pages of 50, the links keeping the search and the filter.

use crate::common::*;
use crate::on_both_backends;
use crate::pages_account::signed_in;

on_both_backends!(people_are_listed_fifty_a_page_keeping_search_and_filter);

fn rows(body: &str) -> usize {
    body.matches(r#"<td data-label="Email">"#).count()
}

async fn people_are_listed_fifty_a_page_keeping_search_and_filter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("ada@example.com", true).await;
    for i in 0..120 {
        app.create_user(&format!("bulk{i:03}@example.com"), false)
            .await;
    }
    let admin = signed_in(&app, "ada@example.com").await;

    let page = admin.get("/admin/people?q=bulk&status=all").await;
    assert_eq!(page.status, 200);
    assert_eq!(rows(&page.body), 50);
    assert!(
        page.body.contains("120 people: 1–50 shown"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Page 1 of 3"));
    assert!(page
        .body
        .contains(r#"href="/admin/people?q=bulk&amp;status=all&amp;page=2" rel="next""#));
    assert!(!page.body.contains(r#"rel="prev""#));

    let page = admin.get("/admin/people?q=bulk&status=all&page=3").await;
    assert_eq!(rows(&page.body), 20);
    assert!(page.body.contains("101–120 shown"));
    assert!(page
        .body
        .contains(r#"href="/admin/people?q=bulk&amp;status=all&amp;page=2" rel="prev""#));
    assert!(!page.body.contains(r#"rel="next""#));
    assert!(page.body.contains("bulk119@example.com"));
    assert!(!page.body.contains("bulk000@example.com"));

    // Past the end: nothing but the way back. Not a number: the first page.
    let page = admin.get("/admin/people?q=bulk&status=all&page=9").await;
    assert_eq!(rows(&page.body), 0);
    assert!(page.body.contains("No one on this page."));
    assert!(page.body.contains(r#"rel="prev""#));
    for bad in ["0", "-1", "x", "99999999999999999999"] {
        let page = admin.get(&format!("/admin/people?page={bad}")).await;
        assert_eq!(page.status, 200, "{bad}");
        assert_eq!(rows(&page.body), 50, "{bad}");
        assert!(page.body.contains("Page 1 of 3"), "{bad}");
    }
    // The first page links without a page number; a short list has no pager at all.
    let page = admin.get("/admin/people?q=bulk&status=all&page=2").await;
    assert!(page
        .body
        .contains(r#"href="/admin/people?q=bulk&amp;status=all" rel="prev""#));
    let page = admin.get("/admin/people?q=ada").await;
    assert_eq!(rows(&page.body), 1);
    assert!(!page.body.contains(r#"class="pager""#));
}
