//! CPU time from `/proc`, to say where a bench's time went: the server process, the bench
//! itself (the load generator), and the whole machine (the rest is PostgreSQL, mostly); and
//! the server's resident memory, to say what its in-memory indexes hold.
//!
//! Linux only; elsewhere the figures are simply missing. Times are in clock ticks of 1/100 s,
//! the `USER_HZ` every mainstream Linux build uses.

use std::time::Instant;

const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds (user + system) used so far by process `pid`.
fn process_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / TICKS_PER_SECOND)
}

/// A line for the report: the resident memory of process `pid` (`VmRSS`), or why it is missing.
pub fn resident(pid: Option<u32>) -> String {
    let kilobytes = pid.and_then(|pid| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse::<f64>().ok()
    });
    kilobytes.map_or("ctxi serve resident memory: unknown".to_owned(), |kb| {
        format!("ctxi serve resident memory: {:.0} MB", kb / 1024.0)
    })
}

/// Busy and total CPU seconds of the whole machine, summed over cores.
fn machine_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<f64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    let total: f64 = ticks.iter().sum();
    // idle and iowait
    let idle = ticks.get(3)? + ticks.get(4).copied().unwrap_or(0.0);
    Some(((total - idle) / TICKS_PER_SECOND, total / TICKS_PER_SECOND))
}

/// Waits until the machine is quiet (less than a quarter of a core busy over 250 ms), at most
/// `longest`: what one measurement leaves behind (autovacuum, a projector catching up after an
/// overload) must not bill the next. Returns how long it waited.
pub async fn wait_for_quiet(longest: std::time::Duration) -> std::time::Duration {
    let started = Instant::now();
    while started.elapsed() < longest {
        let Some((busy0, _)) = machine_seconds() else { break };
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let Some((busy, _)) = machine_seconds() else { break };
        if (busy - busy0) / 0.25 < 0.25 {
            break;
        }
    }
    started.elapsed()
}

/// A reading taken at the start of a measurement.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    at: Instant,
    server: Option<f64>,
    bench: Option<f64>,
    machine: Option<(f64, f64)>,
}

impl CpuMark {
    pub fn now(server_pid: Option<u32>) -> Self {
        Self {
            at: Instant::now(),
            server: server_pid.and_then(process_seconds),
            bench: process_seconds(std::process::id()),
            machine: machine_seconds(),
        }
    }

    /// A line for the report: cores the server and the bench kept busy, how busy the machine
    /// was, and what is left for the rest (PostgreSQL, mostly).
    pub fn report(&self, server_pid: Option<u32>) -> String {
        let wall = self.at.elapsed().as_secs_f64().max(f64::EPSILON);
        let used = |now: Option<f64>, then: Option<f64>| now.zip(then).map(|(now, then)| (now - then) / wall);
        let server = used(server_pid.and_then(process_seconds), self.server);
        let bench = used(process_seconds(std::process::id()), self.bench);
        let machine = machine_seconds().zip(self.machine).map(|((busy, total), (busy0, total0))| {
            let cores = (total - total0) / wall;
            ((busy - busy0) / wall, cores)
        });
        let rest = machine.zip(server).zip(bench).map(|(((busy, _), server), bench)| busy - server - bench);
        let show = |c: Option<f64>| c.map_or("?".to_owned(), |c| format!("{c:.2}"));
        let machine = machine.map_or("?".to_owned(), |(busy, cores)| format!("{busy:.2} of {cores:.0}"));
        format!(
            "cpu: ctxi serve used {} cores, the bench {}, the rest {} (PostgreSQL, mostly); the machine was busy on {machine} cores",
            show(server),
            show(bench),
            show(rest)
        )
    }
}
