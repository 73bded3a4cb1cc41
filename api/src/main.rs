use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    api::logging::init();
    let cli = api::cli::Cli::parse();
    match api::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(api::cli::EXIT_FAILURE)
        }
    }
}
