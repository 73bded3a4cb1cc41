//! `ctxi mcp`: the Model Context Protocol server over stdio (being written).

use std::process::ExitCode;

/// How `ctxi mcp` reaches the REST API.
#[derive(Debug, clap::Args)]
pub struct McpArgs {}

pub async fn run(_args: McpArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the MCP server is not built yet")
}
