//! A project's documents and the query playground in a real Chromium against the real
//! `ctxi serve`: pasted Markdown with personal data is indexed with it redacted, a file is
//! uploaded as multipart, retrieval shows the redacted text, and deletion asks first.
//!
//! Needs what `dashboard.rs` needs (see its header).

use std::panic::AssertUnwindSafe;

use browser_tests::Dashboard;
use futures::FutureExt;
use serde_json::json;

const EMAIL: &str = "ada.lovelace@example.com";
const CARD: &str = "4111 1111 1111 1111";

#[tokio::test]
async fn upload_index_query_and_delete_documents() {
    let app = Dashboard::start("documents").await;
    let outcome = AssertUnwindSafe(journey(&app)).catch_unwind().await;
    app.finish(outcome).await;
}

async fn journey(app: &Dashboard) {
    let b = &app.browser;
    app.sign_up("Acme Knowledge", "pro").await;
    let project = app.create_project("Help centre").await;

    // The Documents tab has its own URL.
    b.click("#tab-documents").await;
    b.find("#no-documents").await;
    assert_eq!(b.path().await, format!("{project}/documents"));
    assert_eq!(b.find("#tab-documents").await.attr("aria-current").await.unwrap().as_deref(), Some("page"));

    // Paste Markdown holding an email address and a card number.
    let markdown = format!(
        "# Refund policy\n\nCustomers who want a refund write to {EMAIL} within 30 days.\n\
         Chargebacks for the test card {CARD} are refused."
    );
    b.fill("#document-title", "Refund policy").await;
    b.find("#document-content-type").await.select_by_value("text/markdown").await.expect("choose Markdown");
    b.fill("#document-content", &markdown).await;
    app.snapshot("documents-paste").await;
    b.click("#upload-document").await;

    // It is listed at once and indexed in the background; the list follows by itself.
    b.wait_for_text("[data-test=document-title]", "the pasted document", |t| t == "Refund policy").await;
    b.wait_for_text("[data-test=document-status]", "the document indexed", |t| t == "Indexed").await;
    let pii = b.text_of("[data-test=document-pii]").await.expect("PII counts");
    assert!(pii.contains("email 1") && pii.contains("payment_card 1"), "{pii}");
    let details = b.text_of("[data-test=document-details]").await.expect("details");
    assert!(details.contains("text/markdown") && details.contains("1 page"), "{details}");
    assert_eq!(b.find("#document-title").await.prop("value").await.unwrap().as_deref(), Some(""));

    // A file goes up as multipart; its name is its title.
    let folder = std::env::temp_dir().join(format!("ctxi-upload-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&folder).expect("create a folder for the upload");
    let file = folder.join("shipping.md");
    std::fs::write(&file, "# Shipping\n\nParcels leave the warehouse within two working days.").expect("write it");
    b.click("#upload-mode-file").await;
    b.find("#document-file").await.send_keys(&file.display().to_string()).await.expect("choose the file");
    b.click("#upload-document").await;
    b.wait_until("two indexed documents", || async { b.count("[data-status=indexed]").await == 2 }).await;
    // Newest first.
    assert_eq!(b.text_of("[data-test=document-title]").await.as_deref(), Some("shipping.md"));
    let _ = std::fs::remove_dir_all(&folder);
    app.snapshot("documents").await;
    app.assert_fits_a_phone("documents").await;

    // The playground finds the pasted document, with both values redacted.
    b.click("#tab-playground").await;
    assert_eq!(b.path().await, format!("{project}/playground"));
    b.fill("#query", "refund policy").await;
    b.click("#run-query").await;
    let title = b.wait_for_text("[data-test=result-title]", "a result", |t| !t.is_empty()).await;
    assert_eq!(title, "Refund policy");
    assert_eq!(b.count("[data-test=result]").await, 1, "only the pasted document matches");
    let marked = b.text_of("[data-test=result-highlight] mark").await.expect("a highlighted match");
    assert!(marked.to_lowercase().starts_with("refund") || marked.to_lowercase() == "policy", "{marked}");
    let excerpt = b.text_of("[data-test=result-highlight]").await.unwrap();
    assert!(!excerpt.contains("<mark>") && !excerpt.contains("&lt;"), "markup shown as text: {excerpt}");
    let score = b.text_of("[data-test=result-score]").await.unwrap();
    assert!(score.split_once('.').is_some_and(|(_, decimals)| decimals.len() == 3), "score {score:?}");
    let latency = b.text_of("#query-latency").await.unwrap();
    assert!(
        latency.strip_suffix(" ms").is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())),
        "latency {latency:?}"
    );

    // The full text opens on demand and shows the redaction markers only.
    b.click("[data-test=result-expand]").await;
    let text = b.wait_for_text("[data-test=result-text]", "the chunk's text", |t| !t.is_empty()).await;
    assert!(text.contains("[EMAIL]") && text.contains("[CARD]"), "{text}");
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert!(!text.contains(EMAIL) && !text.contains("lovelace") && !digits.contains("4111"), "{text}");
    app.snapshot("playground").await;
    app.assert_fits_a_phone("playground").await;

    // The header counts the retrieval.
    let used = b
        .wait_for_text("#usage-retrievals", "a retrieval counted in the header", |t| {
            retrievals_used(t).is_some_and(|n| n >= 1)
        })
        .await;
    assert!(used.contains(" / "), "{used}");
    for part in ["#usage-documents", "#usage-pages"] {
        assert!(b.text_of(part).await.is_some_and(|t| t.contains(" / ")), "{part} missing");
    }

    // Deleting asks first, in the page, with focus on the safe choice.
    b.click("#tab-documents").await;
    b.click("[data-test=delete-document]").await;
    b.find("[data-test=delete-confirmation]").await;
    let focused = b.eval("return document.activeElement.dataset.test || null").await;
    assert_eq!(focused, json!("cancel-delete"));
    b.click("[data-test=cancel-delete]").await;
    b.wait_gone("[data-test=delete-confirmation]").await;
    assert_eq!(b.count("[data-test=document]").await, 2);
    for remaining in [1, 0] {
        b.click("[data-test=delete-document]").await;
        if remaining == 1 {
            app.snapshot("delete-confirmation").await;
        }
        b.click("[data-test=confirm-delete]").await;
        b.wait_until(&format!("{remaining} documents left"), || async {
            b.count("[data-test=document]").await == remaining
        })
        .await;
    }
    b.find("#no-documents").await;

    // The playground's URL opens directly, and retrieval no longer finds the erased text.
    app.open(&format!("{project}/playground")).await;
    b.fill("#query", "refund policy").await;
    b.click("#run-query").await;
    b.wait_for_text("#result-count", "no match", |t| t.starts_with("No chunk")).await;
}

/// The used count in "Retrievals 1,234 / 5,000".
fn retrievals_used(text: &str) -> Option<u64> {
    let (used, _) = text.strip_prefix("Retrievals ")?.split_once(" / ")?;
    used.replace(',', "").parse().ok()
}
