//! The word index apart from the API: how long a project's index takes to read, what ranking
//! alone costs per query, and waiting for the server to have read its own.

use std::time::{Duration, Instant};

use sqlx::PgPool;
use uuid::Uuid;

use super::target::{rankings_in_memory, Target};
use crate::retrieval::{Parsed, WholeIndex};

/// Reads the project's word index in this process and ranks `queries` against it one at a
/// time, top 5; prints the read's duration and the ranking's percentiles.
pub async fn in_process(pool: &PgPool, project: Uuid, queries: &[String]) -> anyhow::Result<()> {
    let started = Instant::now();
    let index = WholeIndex::read(pool, project).await?;
    let read = started.elapsed();
    let mut timings = Vec::with_capacity(queries.len());
    for query in queries {
        let tsquery: String =
            sqlx::query_scalar("SELECT websearch_to_tsquery('english', $1)::text").bind(query).fetch_one(pool).await?;
        if let Parsed::Ranked(prepared) = Parsed::from_tsquery(&tsquery) {
            let started = Instant::now();
            std::hint::black_box(index.top(&prepared, 5));
            timings.push(started.elapsed());
        }
    }
    timings.sort_unstable();
    let at = |p: f64| timings.get(((timings.len() as f64 - 1.0) * p).round() as usize).map_or(f64::NAN, ms);
    println!(
        "word index in this process: {} chunks read in {:.1} s, {:.0} MB on the heap; ranking alone, {} of {} sample queries \
         (the rest have phrases or only stop words): p50 {:.3} ms, p90 {:.3}, p99 {:.3}, max {:.3}",
        index.len(),
        read.as_secs_f64(),
        index.heap_bytes() as f64 / 1e6,
        timings.len(),
        queries.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
    Ok(())
}

fn ms(d: &Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Asks `api` one query at a time until the server ranks in memory (its index of the project
/// is read), and prints how long that took: until then PostgreSQL ranks, as after a restart.
pub async fn wait_for_server(
    api: &Target,
    http: &reqwest::Client,
    base: &str,
    queries: &[String],
) -> anyhow::Result<()> {
    let started = Instant::now();
    let before = rankings_in_memory(http, base).await?;
    for query in queries.iter().cycle() {
        api.one_by_one(std::slice::from_ref(query)).await;
        if rankings_in_memory(http, base).await? > before {
            println!("the server ranked in memory {:.1} s after its first query", started.elapsed().as_secs_f64());
            return Ok(());
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(600), "the server's word index was not read in 600 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}
