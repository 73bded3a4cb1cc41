use std::process::ExitCode;

use clap::Parser;

/// Decoding events allocates many small JSON values; mimalloc made `projections rebuild` and
/// `audit verify` markedly faster than glibc's allocator (see `ctxi bench rebuild`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = api::cli::Cli::parse();
    match api::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(api::cli::EXIT_FAILURE)
        }
    }
}
