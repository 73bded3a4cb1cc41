//! The session settings every pooled connection runs with.

use eventstore::testing::TestDatabase;

#[tokio::test]
async fn pooled_sessions_never_jit_compile_and_cut_idle_transactions_off() {
    let db = TestDatabase::create("pooled_session_settings").await;
    let pool = db.app_pool(1).await;
    let show = |setting: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, String>(&format!("SHOW {setting}")).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(show("jit").await, "off");
    assert_eq!(show("idle_in_transaction_session_timeout").await, "1min");
    assert_eq!(show("role").await, "ctxi_app");
}
