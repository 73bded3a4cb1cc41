//! The phrase patterns of each attack kind, matched against the canonical form of a text
//! (see `normalize`: lowercase, one space or newline between words, disguises undone).
//!
//! Conventions: words are joined with `\s*` rather than `\s+` so that letter-spaced text joined
//! by the normaliser ("ignoreallpreviousinstructions") still matches; `\b` is the ASCII word
//! boundary (see [`compile`]). Every pattern names the *target* of the phrase (your / previous /
//! system instructions, an AI persona, your prompt), because the verbs alone ("ignore",
//! "pretend", "print") are everyday words: "ignore the compiler warnings", "the actor pretends
//! to be a doctor" and "print the instructions" must not match.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

/// Joins alternatives into one regex, with `\b` and `\w` made ASCII so the fast lazy DFA can run on
/// non-ASCII haystacks (a Unicode `\b` makes it fall back to a slower engine).
#[allow(clippy::expect_used)] // constant patterns: every test of the module fails if one is wrong
pub(super) fn compile(alternatives: &[&str]) -> Regex {
    let joined = alternatives.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
    RegexBuilder::new(&joined.replace(r"\b", r"(?-u:\b)").replace(r"\w", r"(?-u:\w)"))
        .size_limit(32 << 20)
        .dfa_size_limit(32 << 20)
        .build()
        .expect("valid injection patterns")
}

const KEY: &str = r"(?:all|your|previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|developer|safety|existing|old)";
const FILLER: &str = r"(?:the|any|and|of|these|those|my|every|each|such|given|other|entire|whole|current|content|ethical|moral|usual|openai|security|\w+'s)";
const RULES: &str = r"(?:instructions?|directions|rules|prompts?|directives?|guidelines|guidance|commands|constraints|guardrails|programming|orders|polic(?:y|ies)|context|restrictions|training|filters|messages)";
const AI: &str = r"(?:ai|a\.i\.|llm|(?:large\s*)?language\s*model|ai\s*(?:assistant|agent|model|system)|assistant|chatbot|bot|agent|model|gpt|chatgpt|claude|gemini|copilot)s?";
const UNBOUND: &str =
    r"(?:unrestricted|unfiltered|uncensored|unaligned|unbound|unlimited|jailbroken|rogue|amoral|unethical|evil)";
const LIMITS: &str = r"(?:restrictions|limits|limitations|filters|rules|guidelines|censorship|ethics|morals|morality|boundaries|safety|constraints|polic(?:y|ies))";

pub(super) static INSTRUCTION_OVERRIDE: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = r"\b(?:ignore|disregard|forget|skip|override|bypass|discard|abandon|dismiss|erase|wipe|reset|neglect)";
    compile(&[
        &format!(r"{verbs}\s*(?:{FILLER}\s*){{0,3}}{KEY}\s*(?:(?:{FILLER}|{KEY})\s*){{0,3}}{RULES}"),
        &format!(
            r"{verbs}\s*(?:{FILLER}\s*){{0,3}}(?:restrictions|guardrails|safeguards|safety\s*(?:rules|guidelines|filters|measures)|content\s*(?:polic(?:y|ies)|filters?))"
        ),
        &format!(
            r"\b{KEY}\s*(?:{FILLER}\s*){{0,2}}{RULES}\s*(?:are|is)\s*(?:now\s*)?(?:void|null|revoked|lifted|suspended|disabled|cancell?ed|overridden)\b"
        ),
        r"\b(?:ignore|disregard|forget)\s*(?:all\s*)?(?:of\s*)?(?:the\s*|that\s*|this\s*)?(?:above|everything)(?:\s*(?:above|before|prior|previously|earlier|so\s*far))?\s*[,.;:!-]?\s*(?:and\s*|then\s*|now\s*|instead\s*)*(?:say|print|output|write|respond|reply|reveal|repeat|act|answer|return|follow|obey|from\s*now|you\s*(?:are|will|must)\s*now|instead|tell\s*me|just\s*(?:say|print|output|answer))\b",
        r"\b(?:ignore|disregard|forget)\s*(?:all\s*)?(?:of\s*)?(?:everything|anything|what(?:ever)?)\s*(?:above|before\s*this|you\s*(?:were|have\s*been|'ve\s*been)\s*(?:told|given|instructed|programmed|taught)|(?:i|we|they)\s*(?:told|said\s*to|instructed)\s*you|in\s*your\s*(?:system\s*)?prompt)",
        r"\bnew\s*(?:system\s*)?(?:instructions?|rules|directives?|task|orders|objective)\s*:",
        r"\b(?:real|actual|true|override|overriding|secret|hidden)\s*(?:system\s*)?instructions?\s*:",
        r"\bthe\s*(?:assistant|ai|model|agent|bot|llm)\s*(?:must|will|shall|should)\s*now\b",
        r"\byou\s*must\s*now\s*(?:only|always|never|ignore|disregard|respond|reply|answer|act|behave|obey|follow|forget|pretend|refuse|comply|say|output|speak|talk|write\s*in|be\b)",
        r"\bfrom\s*now\s*on\s*,?\s*you\s*(?:will|are\s*going\s*to|shall|must|are|'re|should)\s*(?:\w+\s*){0,3}?(?:respond|reply|answer|ignore|disregard|obey|refuse|comply|no\s*longer|not\s*(?:refuse|follow|censor|filter|apply)|only\s*(?:respond|reply|answer|speak|say|output)|be\s*(?:called|known|an?\s*(?:unrestricted|unfiltered|ai|assistant|chatbot)))",
        r"\bfrom\s*now\s*on\s*,?\s*(?:respond|reply|answer|speak|talk|ignore|disregard|only\s*(?:respond|reply|answer|speak|say|output)|(?:the\s*)?(?:assistant|ai|model)\s*(?:will|must|should))",
        r"\b(?:do\s*not|don't|dont|never|stop)\s*(?:follow(?:ing)?|obey(?:ing)?|adher(?:e|ing)\s*to|comply(?:ing)?\s*with|apply(?:ing)?)\s*(?:any\s*(?:of\s*)?)?(?:your\s*(?:\w+\s*)?|the\s*(?:previous|prior|original|initial|system|safety)\s*)(?:instructions?|rules|guidelines|programming|polic(?:y|ies)|prompt)",
        &format!(
            r"\b(?:if|when)\s*you\s*are\s*an?\s*{AI}\b[^.\n]{{0,40}}(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|seeing|viewing|retrieving|indexing)"
        ),
        &format!(
            r"\b{AI}\s*(?:\w+\s*){{0,2}}(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|indexing)\s*this\s*(?:\w+\s*)?[:,-]"
        ),
        &format!(
            r"\b(?:note|message|instructions?|attention|important|notice)\s*(?:to|for)\s*(?:all\s*|any\s*)?{AI}(?:\s*(?:assistants?|agents?|models?|systems?))?\s*(?:reading\s*this\s*)?[:,-]"
        ),
        r"\byour\s*(?:new|real|actual|true|updated)\s*(?:instructions?|directives?|orders|objective|mission|purpose|task\s*is\s*to)\b",
        // Spanish, French, German, Italian, Portuguese, Russian, Chinese, Japanese.
        r"\b(?:ignora|olvida|descarta|omite|ignore|ignorez|ignores|oublie|oubliez)\s*(?:todas?\s*|toutes\s*|tutte\s*)?(?:las\s*|los\s*|tus\s*|les\s*|tes\s*|vos\s*|le\s*|as\s*)?(?:instrucciones|reglas|indicaciones|instructions|consignes|règles|istruzioni|regole|instruções|regras)\s*(?:anteriores|previas|précédentes|antérieures|ci-dessus|precedenti)",
        r"\b(?:ignoriere|ignorieren\s*sie|vergiss|vergessen\s*sie|missachte)\s*(?:alle\s*)?(?:\w+\s*)?(?:anweisungen|instruktionen|regeln|befehle|vorgaben)",
        r"(?:игнорируй|игнорируйте|проигнорируй|забудь|забудьте)\s*(?:все\s*)?(?:предыдущие|прежние|прошлые|свои|эти)?\s*(?:инструкции|указания|правила|команды)",
        r"(?:忽略|无视|忘记|忽视|不要理会)(?:掉)?(?:你)?(?:之前|以上|上面|先前|前面|所有|以前)(?:的)?(?:所有)?(?:的)?(?:指令|指示|说明|规则|提示)",
        r"(?:以前|前|上記|これまで)の(?:指示|命令|ルール|指令)を(?:すべて|全て)?(?:無視|忘れ)",
    ])
});

pub(super) static ROLE_PLAY: LazyLock<Regex> = LazyLock::new(|| {
    compile(&[
        r"\b(?:you\s*are\s*(?:now\s*|going\s*to\s*be\s*|about\s*to\s*become\s*)|from\s*now\s*on\s*,?\s*you\s*(?:are|'re|will\s*be)\s*)(?:dan|stan|dude|aim)\b",
        r"\byou\s*are\s*(?:now\s*)?no\s*longer\s*(?:an?\s*)?(?:ai|assistant|bound|chatgpt|claude|gemini|copilot|\w*gpt)\b",
        &format!(
            r"\byou\s*are\s*(?:now\s*)?free\s*(?:from|of)\s*(?:all\s*|any\s*)?(?:openai|anthropic|ethical|moral|content|safety)\s*(?:\w+\s*)?{LIMITS}"
        ),
        &format!(
            r"\byou\s*are\s*(?:now\s*)?\w+\s*,?\s*(?:an?|the)\s*(?:\w+\s*){{0,2}}{AI}\s*(?:without|with\s*no|that\s*(?:has\s*no|never|ignores|can\s*do\s*anything)|free\s*(?:of|from)|who\s*(?:has\s*no|never))"
        ),
        r"\b(?:you\s*are|act\s*as|pretend\s*to\s*be|play)\s*\w+\s*,?\s*(?:which|who|that)\s*stands\s*for\b",
        &format!(
            r"\b(?:imagine|suppose)\s*(?:that\s*)?you\s*(?:are|were)\s*an?\s*(?:\w+\s*){{0,2}}{AI}\b[^.\n]{{0,40}}(?:without|never|no\s*(?:\w+\s*)?{LIMITS}|free\s*(?:of|from)|{UNBOUND})"
        ),
        &format!(
            r"\byou\s*are\s*(?:now\s*)?an?\s*{UNBOUND}\s*(?:\w+\s*){{0,3}}?(?:{AI}|version|system|entity|persona)\b"
        ),
        r"\b(?:dan|d\.a\.n\.?|stands\s*for)\s*[,(:-]*\s*(?:which\s*stands\s*for\s*)?[\x22']?do\s*anything\s*now\b",
        &format!(
            r"\bpretend\s*(?:that\s*)?(?:you\s*(?:are|'re|were|have\s*no|don't\s*have)|you're|to\s*be\s*(?:an?\s*)?(?:{AI}|different|{UNBOUND}|dan|my|the\s*(?:system|developer|admin)))"
        ),
        &format!(
            r"\b(?:act|behave|respond|answer|reply|function|operate|roleplay|role-play|role\s*play|simulate|emulate|become)\s*(?:as|like)?\s*(?:an?\s*|my\s*|the\s*)?(?:dan\b|stan\b|{UNBOUND}\b|{AI}\s*(?:that\s*(?:has|is)|which\s*(?:has|is)|with|without|free\s*(?:of|from))\s*(?:no|any|zero|out)?\s*(?:\w+\s*)?{LIMITS})"
        ),
        &format!(r"\bact\s*as\s*(?:if|though)\s*you\s*(?:have|had)\s*no\s*(?:\w+\s*)?{LIMITS}"),
        r"\byou\s*(?:have|has)\s*no\s*(?:ethical|moral|content|safety)\s*(?:restrictions|limitations|filters|guidelines|rules|boundaries|constraints|principles)",
        r"\byou\s*(?:are|'re)\s*(?:no\s*longer|not)\s*bound\s*by\s*(?:any\s*)?(?:rules|restrictions|guidelines|policies|openai|anthropic|ethics|your\s*\w+)",
        r"\b(?:enable|activate|enter|switch\s*to|turn\s*on)\s*(?:god|dan|jailbreak|unrestricted|sudo)\s*mode\b",
        &format!(
            r"\b(?:{AI}|you\s*are\s*now|act\s*as|simulate|emulate|pretend\s*to\s*be)\s*(?:\w+\s*){{0,2}}(?:with|in|into|running\s*in)\s*(?:developer|dev)\s*mode"
        ),
        r"\b(?:developer|dev)\s*mode\s*(?:output|response)\b|\bdeveloper\s*mode[^\n]{0,80}(?:openai|content\s*polic|censor)",
        &format!(
            r"\bjailbr(?:oken|eak)\s*(?:{AI}|mode|version|persona)\b|\b(?:you\s*(?:are|have\s*been|'re)\s*(?:now\s*)?|act\s*as\s*(?:an?\s*)?)jailbr(?:oken|eak)"
        ),
        r"\b(?:this\s*is\s*a|the\s*following\s*is\s*a|begin|start|activate|enable)\s*(?:the\s*)?jailbreak\b",
        r"\b(?:stay|remain)\s*in\s*character\s*(?:no\s*matter\s*what|at\s*all\s*times|even\s*if|whatever)|\bnever\s*break\s*character\b",
        r"\b(?:finge|imagina)\s*que\s*eres\b|\bactúa\s*como\s*(?:una?\s*)?(?:ia|inteligencia\s*artificial|asistente)\s*sin\s*(?:restricciones|límites|filtros)",
        r"\bfais\s*semblant\s*d'être\b|\b(?:agis|agissez)\s*comme\s*une?\s*(?:ia|intelligence\s*artificielle)\s*sans\s*(?:restrictions|limites|filtres)",
        r"\btu\s*so,?\s*als\s*(?:ob|wärst)\s*du\b|\bdu\s*bist\s*(?:jetzt|nun|ab\s*sofort)\s*(?:dan|eine?\s*(?:uneingeschränkte|unzensierte|ungefilterte))",
        r"притворись|представь,?\s*что\s*ты\s*(?:не\s*)?(?:ии|бот|модель|dan)|ты\s*теперь\s*dan",
        r"假装你是|扮演一个没有(?:任何)?(?:限制|约束)|你现在是dan",
    ])
});

pub(super) static PROMPT_EXFILTRATION: LazyLock<Regex> = LazyLock::new(|| {
    let show = r"\b(?:reveal|print|repeat|show|display|output|tell\s*me|tell\s*us|disclose|leak|dump|recite|spell\s*out|echo|expose|paste|write\s*(?:out|down)|give\s*me)";
    let qualifiers = r"(?:(?:full|entire|complete|original|initial|exact|hidden|secret|internal|underlying|verbatim|raw|current|first|actual|confidential|whole)\s*)*";
    compile(&[
        &format!(
            r"{show}\s*(?:me\s*|us\s*)?(?:out\s*|back\s*|verbatim\s*)?(?:all\s*|everything\s*)?(?:of\s*|in\s*)?(?:your|the|its)\s*{qualifiers}(?:system|developer|initial|hidden|secret|original|pre-?)\s*(?:prompt|message|instructions?|directives?)"
        ),
        &format!(
            r"{show}\s*(?:me\s*|us\s*)?(?:out\s*|back\s*|verbatim\s*)?(?:all\s*)?(?:of\s*)?your\s*{qualifiers}(?:prompt|instructions|directives|programming|configuration|rules\s*(?:and|&)\s*instructions)\b"
        ),
        r"\bwhat\s*(?:are|were|is|was)\s*(?:your\s*(?:(?:exact|original|initial|full|current|hidden|secret|first|system)\s*)*(?:system\s*prompt|prompt|directives|rules\s*you\s*(?:were\s*given|follow|must\s*follow))|the\s*(?:system\s*prompt|initial\s*instructions|original\s*instructions|hidden\s*instructions))",
        // "what are your instructions?" but not "what are your instructions for returning an item?"
        r"\bwhat\s*(?:are|were)\s*your\s*(?:(?:exact|original|initial|full|current|hidden|secret|first|system)\s*)*instructions\s*(?:[?.!]|(?m:$)|exactly|verbatim|word\s*for\s*word|in\s*full|from\s*(?:your|the))",
        &format!(
            r"\b(?:translate|summari[sz]e|encode|rewrite|paraphrase|convert|put|insert|append|include)\s*(?:all\s*(?:of\s*)?)?your\s*{qualifiers}(?:system|developer|initial|hidden|secret|original)\s*(?:prompt|message|instructions)"
        ),
        r"\b(?:first|last|opening)\s*(?:\d+|few|ten|fifty|hundred)\s*(?:words|lines|characters|tokens|sentences|paragraphs)\s*of\s*(?:your|the)\s*(?:system\s*|initial\s*|original\s*)?(?:prompt|instructions)",
        r"\b(?:tell|show|give)\s*(?:me|us)\s*what\s*(?:your\s*(?:developers?|creators?|owners?|operators?|admins?|makers?)|they|openai|anthropic)\s*(?:told|instructed|asked|programmed|wrote)",
        r"\bwhat\s*(?:was|is|were)\s*(?:written|said|stated|typed|sent)\s*(?:to\s*you\s*)?(?:at\s*the\s*(?:very\s*)?(?:beginning|start|top)\s*of\s*(?:this|the|our)\s*(?:conversation|chat|session|context)|before\s*(?:my|this|the)\s*first\s*message)",
        r"\b(?:repeat|print|output|reproduce|recite|echo|write\s*out)\s*(?:all\s*)?(?:of\s*)?(?:the\s*)?(?:text|words|content|messages?|everything|tokens|lines)\s*(?:written\s*|that\s*(?:appear|appears|came)\s*)?(?:above|before\s*(?:this|my)|prior\s*to\s*(?:this|my)|preceding|so\s*far|at\s*the\s*(?:start|beginning))",
        r"(?:starting|beginning)\s*with\s*[\x22']?\s*you\s*are\b",
        r"!\[[^\]\n]*\]\(https?://[^)\s]*[?&][a-z_]*=(?:\{|\[|<|%7b)",
        r"(?:muéstrame|muestra|revela|imprime|dime|repite)\s*(?:tu|tus|el|las)\s*(?:prompt\s*(?:del\s*sistema|inicial)|instrucciones\s*(?:del\s*sistema|iniciales|originales|ocultas))",
        r"\b(?:zeige|zeig|verrate|gib)\s*(?:mir\s*)?(?:deinen|deine|den)\s*(?:system-?prompt|systemanweisungen|(?:ursprünglichen\s*)?anweisungen)",
        r"\b(?:affiche|révèle|montre|donne|répète)[-\s]*(?:moi\s*)?(?:ton|tes|votre|vos|le)\s*(?:prompt\s*(?:système|initial)|instructions\s*(?:système|initiales))",
        r"(?:покажи|выведи|раскрой|повтори)\s*(?:мне\s*)?(?:свой|свои|твой|твои)\s*(?:системный\s*промпт|промпт|инструкции)",
        r"(?:显示|输出|告诉我|重复|透露)(?:你的)?(?:系统提示|系统指令|初始指令|提示词)",
    ])
});
