//! Steps that several journeys take through the page, written once.

use crate::Dashboard;

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery staple";

impl Dashboard {
    /// Signs up through the page with a fresh address and waits for the projects page; returns
    /// the address.
    pub async fn sign_up(&self, tenant: &str, plan: &str) -> String {
        let b = &self.browser;
        let email = format!("owner-{}@example.com", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        self.open("/signup").await;
        b.fill("#signup-tenant", tenant).await;
        b.fill("#signup-email", &email).await;
        b.fill("#signup-password", PASSWORD).await;
        b.click(&format!("#plan-{plan}")).await;
        assert_eq!(b.find(&format!("#plan-{plan}")).await.prop("checked").await.unwrap().as_deref(), Some("true"));
        b.click("#signup-submit").await;
        b.wait_for_text("#tenant-name", "the new tenant", |t| t == tenant).await;
        assert_eq!(b.path().await, "/projects");
        email
    }

    /// Creates a project from the projects page and opens it; returns its page's path.
    pub async fn create_project(&self, name: &str) -> String {
        let b = &self.browser;
        b.fill("#project-name", name).await;
        b.click("#create-project").await;
        b.wait_for_text("[data-test=project] a", "the new project", |t| t == name).await;
        b.click("[data-test=project] a").await;
        b.wait_for_text("#project-title", "the project's name", |t| t == name).await;
        b.path().await
    }

    /// The page works 360px wide (small phones): nothing sticks out sideways. Saves a
    /// screenshot `PAGE-360` and restores the size.
    pub async fn assert_fits_a_phone(&self, page: &str) {
        let b = &self.browser;
        b.resize(360, 800).await;
        self.snapshot(&format!("{page}-360")).await;
        if b.overflows_horizontally().await {
            panic!("the {page} page is wider than 360px; sticking out: {}", b.overflowing_elements().await);
        }
        b.resize(1280, 900).await;
    }
}
