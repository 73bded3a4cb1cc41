//! IP addresses: dotted IPv4 with valid octets, and IPv6 in every textual form (full,
//! `::`-compressed, with an embedded IPv4 tail). Candidates are parsed by the standard library,
//! so validity is exactly what an address parser accepts.
//!
//! Not addresses: pieces of longer dotted numbers (`1.3.6.1.4.1`), version strings (three parts
//! like `10.0.1`, or four parts right after "version"/"build"), times and MAC addresses (they do
//! not parse as IPv6), and `ad::be`-style code paths (an IPv6 candidate must contain a digit).

use std::net::{Ipv4Addr, Ipv6Addr};

use domain::PiiKind;

use super::text::{cue_before, pattern, stands_alone, Pattern};
use super::Finding;

static V4: Pattern = Pattern::new(|| pattern(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"));
static V6: Pattern =
    Pattern::new(|| pattern(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})?"));

const VERSION_CUES: &[&str] = &["version", "ver.", "release", "build", "firmware", "revision", "rev."];

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    for candidate in V4.find_iter(text) {
        let range = candidate.range();
        if candidate.as_str().parse::<Ipv4Addr>().is_ok()
            && stands_alone(text, &range, &['.'])
            && !cue_before(text, range.start, 16, VERSION_CUES)
        {
            out.push(Finding { kind: PiiKind::IpAddress, range });
        }
    }
    if !text.contains(':') {
        return;
    }
    for candidate in V6.find_iter(text) {
        let range = candidate.range();
        let value = candidate.as_str();
        if value.bytes().any(|b| b.is_ascii_digit())
            && value.parse::<Ipv6Addr>().is_ok()
            && stands_alone(text, &range, &['.', ':'])
        {
            out.push(Finding { kind: PiiKind::IpAddress, range });
        }
    }
}
