//! Encoded payloads: instructions hidden in base64, hex or escape sequences, which a capable
//! model decodes on its own when asked to ("decode this and do what it says").
//!
//! A run is decoded only when it is long enough to hold a sentence, and its content is screened
//! only when it decodes to readable text, so images, hashes, keys and ordinary long words (which
//! decode to binary noise) cost a decode attempt and nothing else. A long blob that does not
//! decode to an attack still counts when the text around it tells the reader to decode and obey
//! it: the payload may be encrypted, compressed or in a format we do not read.

use std::sync::LazyLock;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, Engine, GeneralPurpose, GeneralPurposeConfig};
use regex::Regex;

use super::patterns::compile;

/// Runs considered (a chunk with more is a data dump, and the first ones are screened).
const MAX_RUNS: usize = 32;
/// Bytes of one run decoded: a sentence fits in far less; a 100 KB image is not decoded whole.
const MAX_RUN_LEN: usize = 4096;
/// Shortest run that counts as a blob for the decode-instruction rule.
const MIN_BLOB_LEN: usize = 24;

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

#[allow(clippy::expect_used)] // constant patterns: every test of the module fails if one is wrong
static RUNS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<hex>(?:(?:0x)?[0-9A-Fa-f]{2}[ :,]?){16,})",
        r"|(?P<escaped>(?:\\x[0-9A-Fa-f]{2}|%[0-9A-Fa-f]{2}){8,})",
        r"|(?P<base64>[A-Za-z0-9+/_-]{20,}={0,2})",
    ))
    .expect("valid encoded-run regex")
});

static DECODE_INSTRUCTION: LazyLock<Regex> = LazyLock::new(|| {
    compile(&[
        r"\b(?:decode|decipher|base64[ -]?decode|from\s*(?:base64|hex))\b[^\n]{0,80}\b(?:follow|execute|run|obey|do\s*(?:what|as)|carry\s*out|apply|perform|comply|act\s*on|then\s*(?:do|answer|respond))",
        r"\b(?:follow|execute|obey|carry\s*out|act\s*on|run)\s*(?:the\s*)?(?:decoded|hidden|encoded|base64|hex)\s*(?:instructions?|text|message|payload|commands?|prompt)",
    ])
});

/// Readable texts decoded from the encoded runs of `text`.
pub(super) fn decoded_texts(text: &str) -> Vec<String> {
    RUNS.captures_iter(text)
        .take(MAX_RUNS)
        .filter_map(|caps| {
            let bytes = if let Some(run) = caps.name("base64") {
                decode_base64(run.as_str())?
            } else if let Some(run) = caps.name("hex") {
                decode_hex(run.as_str().replace("0x", "").bytes().filter(u8::is_ascii_hexdigit))?
            } else {
                let run = caps.name("escaped")?.as_str();
                decode_hex(run.bytes().filter(|b| b.is_ascii_hexdigit() && *b != b'x'))?
            };
            readable(bytes)
        })
        .collect()
}

/// Whether `text` carries a blob and `normalized` (its canonical form) tells the reader to
/// decode and act on it.
pub(super) fn has_instructed_blob(text: &str, normalized: &str) -> bool {
    DECODE_INSTRUCTION.is_match(normalized)
        && RUNS.find_iter(text).take(MAX_RUNS).any(|run| run.as_str().trim_end_matches('=').len() >= MIN_BLOB_LEN)
}

fn decode_base64(run: &str) -> Option<Vec<u8>> {
    // The run is ASCII, so any byte index is a char boundary; MAX_RUN_LEN is a multiple of 4.
    let run = run.trim_end_matches('=');
    let mut len = run.len().min(MAX_RUN_LEN);
    if len % 4 == 1 {
        len -= 1;
    }
    let run = run.get(..len)?;
    if run.contains(['-', '_']) {
        URL_SAFE.decode(run).ok()
    } else {
        STANDARD.decode(run).ok()
    }
}

fn decode_hex(digits: impl Iterator<Item = u8>) -> Option<Vec<u8>> {
    let nibbles: Vec<u8> = digits.take(MAX_RUN_LEN).filter_map(|d| (d as char).to_digit(16)).map(|d| d as u8).collect();
    let bytes: Vec<u8> = nibbles.chunks_exact(2).map(|pair| pair[0] << 4 | pair[1]).collect();
    (!bytes.is_empty()).then_some(bytes)
}

/// The bytes as text if they are UTF-8 that reads like language: mostly letters and spaces,
/// almost no control characters. Random bytes (hashes, images, keys) fail this at once.
fn readable(bytes: Vec<u8>) -> Option<String> {
    let text = String::from_utf8(bytes).ok()?;
    let total = text.chars().count();
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
    let wordy = text.chars().filter(|c| c.is_alphabetic() || *c == ' ').count();
    (total >= 8 && controls * 50 <= total && wordy * 10 >= total * 6).then_some(text)
}
