//! What the retrieval bench sends its queries to: the API on loopback, or the API's own
//! search function straight against PostgreSQL. The same queries through both show what the
//! API adds (HTTP, authentication, the cache lookup, metering) over the SQL.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use api_types::RetrieveRequest;
use sqlx::PgPool;
use uuid::Uuid;

use super::load::{open_loop, sequential, Summary};
use crate::retrieval::{search_in_postgres, SearchQuery};

/// Chunks asked for per retrieval: the API's default.
const TOP_K: u32 = 5;

#[derive(Debug, Clone)]
pub enum Target {
    Api {
        http: reqwest::Client,
        url: String,
        secret: String,
    },
    Sql {
        pool: PgPool,
        project: Uuid,
    },
    /// `GET /v1/projects/{id}` with the same key: HTTP, authentication and the project
    /// lookup a retrieval also does, without the search and the metering.
    Floor {
        http: reqwest::Client,
        url: String,
        secret: String,
    },
    /// `Api` with a query embedding drawn from the query's text (hybrid retrieval); with
    /// `words: false` the text sent is a word no chunk has, so only the vector half ranks.
    Hybrid {
        http: reqwest::Client,
        url: String,
        secret: String,
        embedder: Arc<super::vectors::Embedder>,
        words: bool,
    },
}

impl Target {
    /// One retrieval of `query`, as a task can run it.
    pub fn retrieve(&self, query: String) -> impl Future<Output = anyhow::Result<()>> + Send + 'static {
        let target = self.clone();
        async move {
            match target {
                Target::Api { http, url, secret } => {
                    let body = RetrieveRequest { query, top_k: Some(TOP_K), filter: None, query_embedding: None };
                    let response = http.post(&url).bearer_auth(&secret).json(&body).send().await?;
                    let status = response.status();
                    // The answer counts once its body has arrived whole.
                    let text = response.bytes().await.context("reading the answer")?;
                    if !status.is_success() {
                        bail!("{status}: {}", String::from_utf8_lossy(&text));
                    }
                }
                Target::Hybrid { http, url, secret, embedder, words } => {
                    let query_embedding = Some(embedder.query(&query));
                    let query = if words { query } else { super::vectors::NO_MATCH.to_owned() };
                    let body = RetrieveRequest { query, top_k: Some(TOP_K), filter: None, query_embedding };
                    let response = http.post(&url).bearer_auth(&secret).json(&body).send().await?;
                    let status = response.status();
                    let text = response.bytes().await.context("reading the answer")?;
                    if !status.is_success() {
                        bail!("{status}: {}", String::from_utf8_lossy(&text));
                    }
                }
                Target::Floor { http, url, secret } => {
                    let response = http.get(&url).bearer_auth(&secret).send().await?;
                    let status = response.status();
                    let text = response.bytes().await.context("reading the answer")?;
                    if !status.is_success() {
                        bail!("{status}: {}", String::from_utf8_lossy(&text));
                    }
                }
                Target::Sql { pool, project } => {
                    let q = SearchQuery {
                        project_id: project,
                        query,
                        top_k: TOP_K,
                        document_ids: None,
                        metadata: None,
                        embedding: None,
                    };
                    search_in_postgres(&pool, &q).await?;
                }
            }
            Ok(())
        }
    }

    /// `queries` at `rate` per second, open loop, query `i % len` as request `i`.
    pub async fn at_rate(
        &self,
        queries: &Arc<Vec<String>>,
        rate: f64,
        duration: Duration,
        concurrency: usize,
    ) -> Summary {
        let (target, queries) = (self.clone(), Arc::clone(queries));
        open_loop(rate, duration, concurrency, move |i| target.retrieve(queries[i % queries.len()].clone())).await
    }

    /// `queries` one after another.
    pub async fn one_by_one(&self, queries: &[String]) -> Summary {
        sequential(queries.len(), |i| self.retrieve(queries[i].clone())).await
    }
}

/// Cache hits and misses the server has counted so far, from its `/metrics`.
pub async fn cache_lookups(http: &reqwest::Client, base: &str) -> anyhow::Result<(f64, f64)> {
    Ok((
        counter(http, base, "retrieval_cache_lookups", "result=\"hit\"").await?,
        counter(http, base, "retrieval_cache_lookups", "result=\"miss\"").await?,
    ))
}

/// The server's full-text rankings done in memory so far.
pub async fn rankings_in_memory(http: &reqwest::Client, base: &str) -> anyhow::Result<f64> {
    counter(http, base, "retrieval_word_rankings", "by=\"memory\"").await
}

/// Appends to the event store the server has timed so far (during retrieval, the metering's
/// group commits): all of them, and those that took longer than 50 ms.
#[derive(Debug, Clone, Copy)]
pub struct Appends {
    all: f64,
    slow: f64,
}

impl Appends {
    pub async fn read(http: &reqwest::Client, base: &str) -> anyhow::Result<Self> {
        let name = "event_store_append_duration_seconds";
        let all = counter(http, base, &format!("{name}_count"), "").await?;
        let fast = counter(http, base, &format!("{name}_bucket"), "le=\"0.05\"").await?;
        Ok(Self { all, slow: all - fast })
    }

    /// The appends since `before`, for the report.
    pub fn since(&self, before: Appends) -> String {
        format!(
            "appends to the event store: {:.0}, {:.0} of them over 50 ms",
            self.all - before.all,
            self.slow - before.slow
        )
    }
}

/// The sum of a counter's series whose labels include `label`, from the server's `/metrics`.
async fn counter(http: &reqwest::Client, base: &str, name: &str, label: &str) -> anyhow::Result<f64> {
    let text = http.get(format!("{base}/metrics")).send().await?.text().await?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains(name) && l.contains(label))
        .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
        .sum())
}
