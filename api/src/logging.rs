//! Logs go to stderr, so command output on stdout stays clean for scripts. `RUST_LOG` sets the
//! filter; the defaults differ: the CLI's commands only warn, the server logs each request.

use std::io::IsTerminal;

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

pub use crate::settings::LogFormat;

/// The filter when `RUST_LOG` is unset: sqlx logs every statement at `info`.
const SERVER_FILTER: &str = "info,sqlx=warn";
const CLI_FILTER: &str = "warn";

/// Logging for the CLI's commands other than `serve`: warnings, as human-readable text.
pub fn init_cli() {
    install(subscriber(LogFormat::Text, filter(CLI_FILTER), std::io::stderr, colours()));
}

/// Logging for `ctxi serve`.
pub fn init_server(format: LogFormat) {
    install(subscriber(format, filter(SERVER_FILTER), std::io::stderr, colours()));
}

/// Colours only on a terminal: escape codes garble files and journald.
fn colours() -> bool {
    std::io::stderr().is_terminal()
}

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
}

/// A process has one global subscriber: the first call wins, later ones change nothing.
fn install(subscriber: Box<dyn Subscriber + Send + Sync>) {
    let _already_set = subscriber.try_init();
}

fn subscriber<W>(format: LogFormat, filter: EnvFilter, writer: W, ansi: bool) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        // Each line carries the current span and every enclosing one with their fields, so a
        // request span's `request_id` is on every line logged while handling that request,
        // also from spans nested inside it.
        LogFormat::Json => {
            Box::new(builder.json().flatten_event(true).with_current_span(true).with_span_list(true).finish())
        }
        LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::Value;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn log_with(format: LogFormat, filter: &str) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = subscriber(format, EnvFilter::new(filter), move || writer.clone(), false);
        tracing::subscriber::with_default(subscriber, || {
            let request = tracing::info_span!("request", request_id = "req-1");
            let _request = request.enter();
            tracing::info!(user = "ada", "signed in");
            let inner = tracing::info_span!("query");
            let _inner = inner.enter();
            tracing::warn!("slow");
            tracing::debug!("filtered out");
        });
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn json_lines_carry_the_request_id_of_the_enclosing_span() {
        let output = log_with(LogFormat::Json, "info");
        let lines: Vec<Value> = output.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{output}");
        assert_eq!(lines[0]["message"], "signed in");
        assert_eq!(lines[0]["user"], "ada");
        assert_eq!(lines[0]["level"], "INFO");
        assert_eq!(lines[0]["span"]["request_id"], "req-1");
        // Inside a nested span the request id is still there, in the list of spans.
        assert_eq!(lines[1]["message"], "slow");
        assert_eq!(lines[1]["span"]["name"], "query");
        assert_eq!(lines[1]["spans"][0]["request_id"], "req-1", "{output}");
    }

    #[test]
    fn text_lines_are_human_readable_and_filtered() {
        let output = log_with(LogFormat::Text, "info");
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), 2, "{output}");
        assert!(lines[0].contains(" INFO request{request_id=\"req-1\"}: "), "{output}");
        assert!(lines[1].contains(" WARN request{request_id=\"req-1\"}:query: "), "{output}");
        assert!(serde_json::from_str::<Value>(lines[0]).is_err());

        let output = log_with(LogFormat::Text, "warn");
        assert_eq!(output.lines().count(), 1, "{output}");
        assert!(output.contains(" WARN ") && output.ends_with("slow\n"), "{output}");
    }
}
