//! The benches' vocabulary: real words of a company knowledge base for the frequent ranks, and
//! made-up product and project names for the long tail.
//!
//! Full-text search cost depends on how many chunks a query matches, so the text needs the
//! shape of real prose: a few words in nearly every chunk, most words in few. Ranks follow
//! Zipf's law over [`COMMON`] then [`rare`]; stop words are mixed in separately.

/// Stop words: PostgreSQL's `english` configuration drops them, as it would in real prose.
#[rustfmt::skip]
pub const STOP: &[&str] = &[
    "the", "a", "of", "to", "and", "in", "for", "is", "on", "with", "that", "by", "as", "this", "be", "are", "from",
    "or", "at", "it", "we", "our", "when", "if", "not", "all", "can", "will", "should", "must",
];

/// Content words, most frequent first.
#[rustfmt::skip]
pub const COMMON: &[&str] = &[
    "customer", "account", "team", "data", "process", "request", "service", "project", "time", "policy", "access",
    "user", "system", "support", "report", "review", "change", "product", "plan", "release", "invoice", "payment",
    "contract", "employee", "manager", "security", "document", "meeting", "budget", "quarter", "deadline", "ticket",
    "incident", "deployment", "server", "database", "backup", "password", "key", "token", "permission", "role",
    "approval", "vendor", "supplier", "order", "shipment", "warehouse", "inventory", "refund", "subscription",
    "renewal", "discount", "pricing", "tax", "audit", "compliance", "privacy", "retention", "archive", "export",
    "import", "integration", "webhook", "endpoint", "latency", "outage", "escalation", "priority", "severity",
    "onboarding", "offboarding", "training", "handbook", "benefit", "holiday", "leave", "expense", "travel",
    "reimbursement", "laptop", "device", "network", "firewall", "certificate", "encryption", "rotation", "schedule",
    "calendar", "office", "remote", "hiring", "interview", "candidate", "salary", "bonus", "review", "feedback",
    "goal", "roadmap", "milestone", "sprint", "backlog", "estimate", "risk", "mitigation", "dependency", "owner",
    "stakeholder", "customer", "churn", "revenue", "forecast", "pipeline", "lead", "campaign", "newsletter",
    "analytics", "dashboard", "metric", "alert", "monitoring", "logging", "trace", "cluster", "region", "failover",
    "replica", "migration", "schema", "index", "query", "cache", "queue", "worker", "batch", "job", "cron",
    "configuration", "environment", "staging", "production", "rollback", "hotfix", "patch", "version", "license",
    "warranty", "claim", "dispute", "chargeback", "fraud", "identity", "verification", "signature", "template",
    "contractor", "agreement", "liability", "insurance", "facility", "parking", "badge", "visitor", "safety",
    "procedure", "checklist", "exception", "waiver", "threshold", "limit", "quota", "capacity", "storage",
    "bandwidth", "region", "currency", "exchange", "ledger", "reconciliation", "accrual", "depreciation", "asset",
    "procurement", "tender", "quote", "proposal", "partner", "reseller", "channel", "territory", "commission",
    "quotation", "delivery", "carrier", "tracking", "return", "exchange", "defect", "repair", "replacement", "manual",
    "firmware", "upgrade", "compatibility", "accessibility", "localization", "translation", "glossary", "style",
    "brand", "logo", "design", "prototype", "research", "survey", "interview", "persona", "journey", "experiment",
    "hypothesis", "cohort", "retention", "activation", "conversion", "funnel", "pricing", "tier", "trial", "upgrade",
    "downgrade", "cancellation", "notice", "termination", "severance", "pension", "payroll", "timesheet", "overtime",
    "shift", "rota", "coverage", "handover", "runbook", "playbook", "postmortem", "retrospective", "lesson",
    "archive", "wiki", "knowledge", "faq", "answer", "question", "guide", "tutorial",
];

/// Syllables for the long tail: product, project and team names that appear in few documents.
const ONSETS: &[&str] = &["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr"];
const NUCLEI: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou"];
const CODAS: &[&str] = &["", "n", "r", "l", "x", "th", "m"];

/// Distinct syllable triples: [`rare`] is one-to-one below this.
const TRIPLES: usize = (18 * 7) * (18 * 7) * (18 * 7);

/// The `i`-th made-up word: distinct for every `i` below [`RARE_WORDS`]. The multiplier (a prime
/// coprime with [`TRIPLES`]) scatters neighbours so words do not share their endings.
pub fn rare(i: usize) -> String {
    let mut n = (i * 7_919 + 104_729) % TRIPLES;
    let mut word = String::new();
    for _ in 0..3 {
        word.push_str(ONSETS[n % ONSETS.len()]);
        n /= ONSETS.len();
        word.push_str(NUCLEI[n % NUCLEI.len()]);
        n /= NUCLEI.len();
    }
    word.push_str(CODAS[i % CODAS.len()]);
    word
}

/// How many long-tail words the vocabulary has.
pub const RARE_WORDS: usize = 4_000;
