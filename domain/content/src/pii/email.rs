//! Email addresses in their everyday form: `local@domain.tld`, with dots, plus tags, `%`, `_`,
//! `-` and inner apostrophes (`o'connor@…`) in the local part and any number of subdomains.
//!
//! Not addresses: `@handles` and `@decorators` (no local part), `pkg@1.2.3` (no alphabetic
//! top-level domain), retina asset names such as `logo@2x.png` (the "domain" ends in an image
//! extension), and `git@host:path` SSH remotes.

use domain::PiiKind;

use super::text::{pattern, Pattern};
use super::Finding;

/// Latin-script letters are allowed throughout (`zoë.müller@exämple.de`): an ASCII-only class
/// would find nothing there and leak the address. Other scripts are left out so that an address
/// written straight after Japanese or Russian text (`メールtanaka@…`) starts where the address does.
static CANDIDATE: Pattern = Pattern::new(|| {
    pattern(concat!(
        r"[\p{Latin}0-9._%+\-]+(?:'[\p{Latin}0-9._%+\-]+)*@",
        r"[\p{Latin}0-9](?:[\p{Latin}0-9\-]*[\p{Latin}0-9])?",
        r"(?:\.[\p{Latin}0-9](?:[\p{Latin}0-9\-]*[\p{Latin}0-9])?)*\.\p{Latin}{2,24}",
    ))
});

const ASSET_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "avif"];

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    if !text.contains('@') {
        return;
    }
    for candidate in CANDIDATE.find_iter(text) {
        let range = candidate.range();
        let (local, domain) = candidate.as_str().split_once('@').unwrap_or_default();
        // The pattern already took every character an address may hold on either side, so only
        // a digit, `_` or `@` right after the top-level domain means this is not an address.
        let next = text[range.end..].chars().next();
        let glued = next.is_some_and(|c| c.is_ascii_digit() || c == '_' || c == '@');
        if glued || !is_local_part(local) || is_asset(domain) {
            continue;
        }
        if local == "git" && next == Some(':') {
            continue;
        }
        out.push(Finding { kind: PiiKind::Email, range });
    }
}

/// Dots may separate the local part's atoms but not start, end or double up.
fn is_local_part(local: &str) -> bool {
    local.len() <= 64 && !local.starts_with('.') && !local.ends_with('.') && !local.contains("..")
}

fn is_asset(domain: &str) -> bool {
    let extension = domain.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    ASSET_EXTENSIONS.contains(&extension.as_str())
}
