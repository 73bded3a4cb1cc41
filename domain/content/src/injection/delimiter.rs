//! Delimiter injection: text that imitates the markers separating chat roles, so that a model
//! reading a retrieved chunk believes a new system or assistant turn has begun.
//!
//! Chat-template tokens (`<|im_start|>`, `[INST]`, `<<SYS>>`, `<|eot_id|>`) have no business in
//! a document and count wherever they appear, even in documentation that quotes them: the model
//! cannot tell a quoted token from a real one. Plain-text role headers ("System:", "### System:",
//! "[system]", "Assistant:") are also ordinary writing ("System: Ubuntu 22.04" in a bug report,
//! "Assistant: click Save" in a support transcript), so they count only when what follows them
//! on their line reads as an instruction to the model. "User:" and "Human:" alone never count:
//! transcripts are full of them, and claiming to be the user gains an attacker nothing.

use std::sync::LazyLock;

use regex::Regex;

use super::patterns::{compile, INSTRUCTION_OVERRIDE, PROMPT_EXFILTRATION, ROLE_PLAY};

static CHAT_TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    compile(&[
        r"<\|\s*(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_turn|start_of_turn)\s*\|>",
        r"\[/?inst\]",
        r"<</?sys>>",
        r"<(?:start|end)_of_turn>",
        r"</s>\s*(?:<s>|\[inst\]|(?:system|user|assistant|human)\s*:)",
    ])
});

/// A role header, in three strengths: `formatted` (markdown heading, brackets, tags) and
/// `system` (a privileged role written plainly) need any directive after them; `assistant` (a
/// fake model turn) needs an outright attack phrase, because real transcripts are full of it.
static ROLE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    let suffix = r"(?:\s*(?:prompt|message|instructions?|override|update|note|notice))?";
    let role = format!(r"(?:system|assistant|user|human|ai|developer|admin|administrator|operator){suffix}");
    compile(&[
        &format!(
            r"(?m)(?:^|[.!?]\s)[>*_ -]*(?P<formatted>#{{1,6}}\s*{role}\s*:|\[\s*{role}\s*\]|<\s*{role}\s*>|\{{\s*{role}\s*\}}|\*\*\s*{role}\s*:?\s*\*\*)"
        ),
        &format!(r"(?m)(?:^|[.!?]\s)[>*_ -]*(?P<system>(?:system|developer|admin|administrator|operator){suffix}\s*:)"),
        r"(?m)(?:^|[.!?]\s)[>*_ -]*(?P<assistant>(?:assistant|ai|bot|chatgpt|gpt)\s*:)",
        r"(?m)^[>*_ -]*(?:-{3,}|={3,}|#{3,}|\*{3,})?\s*(?P<boundary>(?:end|begin|start)\s*(?:of\s*)?(?:the\s*)?(?:system\s*(?:prompt|message)|user\s*(?:input|message|query|prompt)|document|context|untrusted\s*(?:content|input)|instructions)\b[^\n]*)",
    ])
});

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&[
        r"\b(?:you\s*(?:are|must|will|should|shall|may\s*now|have\s*to|need\s*to|can\s*now)|ignore|disregard|forget|from\s*now\s*on|always|never|do\s*not|don't|respond|reply|answer|new\s*(?:\w+\s*)?(?:instructions?|rules|task|orders|directives?)|override|reveal|print|output|act\s*as|pretend|follow|obey|the\s*(?:assistant|ai|model)\s*(?:must|will|should|is))\b",
    ])
});

static ATTACK_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&[
        r"\b(?:from\s*now\s*on|ignore|disregard|new\s*instructions|override|you\s*must\s*now|without\s*(?:any\s*)?(?:restrictions|filters|limits))\b",
        r"\bi\s*(?:will|'ll)\s*now\s*(?:ignore|comply|reveal|obey|disregard|answer\s*without)",
    ])
});

/// Whether the canonical `text` holds a chat-template token or an instructing role header.
pub(super) fn detect(text: &str) -> bool {
    if CHAT_TOKENS.is_match(text) {
        return true;
    }
    ROLE_HEADER.captures_iter(text).any(|caps| {
        let Some(header) = caps.get(0) else { return false };
        let following = following_line(&text[header.end()..]);
        if caps.name("assistant").is_some() {
            ATTACK_PHRASE.is_match(following)
                || INSTRUCTION_OVERRIDE.is_match(following)
                || ROLE_PLAY.is_match(following)
                || PROMPT_EXFILTRATION.is_match(following)
        } else if let Some(boundary) = caps.name("boundary") {
            DIRECTIVE.is_match(boundary.as_str()) || DIRECTIVE.is_match(following)
        } else {
            DIRECTIVE.is_match(following)
        }
    })
}

/// The rest of the header's line, or the next line when the header stands alone on its own,
/// at most 300 bytes: the instruction a fake header introduces follows it immediately.
fn following_line(rest: &str) -> &str {
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    let line = rest.split('\n').next().unwrap_or(rest);
    let mut end = line.len().min(300);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}
