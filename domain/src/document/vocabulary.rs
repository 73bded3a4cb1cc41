//! The words documents are described in: formats, kinds of personal data, and the policies a
//! project sets for them. The `content` crate does the work; these are what events record.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A document format ContextInject can read, named by its media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DocumentFormat {
    #[serde(rename = "text/plain")]
    PlainText,
    #[serde(rename = "text/markdown")]
    Markdown,
    #[serde(rename = "text/html")]
    Html,
    #[serde(rename = "application/pdf")]
    Pdf,
}

impl DocumentFormat {
    pub const ALL: [DocumentFormat; 4] = [Self::PlainText, Self::Markdown, Self::Html, Self::Pdf];

    /// The media type, as uploads name it and events record it.
    pub const fn mime(self) -> &'static str {
        match self {
            Self::PlainText => "text/plain",
            Self::Markdown => "text/markdown",
            Self::Html => "text/html",
            Self::Pdf => "application/pdf",
        }
    }

    /// Reads a media type, ignoring parameters such as `; charset=utf-8` and case.
    pub fn from_mime(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "text/plain" => Some(Self::PlainText),
            "text/markdown" | "text/x-markdown" => Some(Self::Markdown),
            "text/html" | "application/xhtml+xml" => Some(Self::Html),
            "application/pdf" => Some(Self::Pdf),
            _ => None,
        }
    }

    /// Guesses the format from a file name's extension, for uploads that send no usable type.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Self::PlainText),
            "md" | "markdown" => Some(Self::Markdown),
            "html" | "htm" | "xhtml" => Some(Self::Html),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }

    /// Whether the content is UTF-8 text (and may be sent as a JSON string).
    pub const fn is_text(self) -> bool {
        !matches!(self, Self::Pdf)
    }
}

impl fmt::Display for DocumentFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime())
    }
}

impl FromStr for DocumentFormat {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_mime(s).ok_or_else(|| ValidationError::NotOneOf {
            field: "content_type",
            value: s.to_owned(),
            expected: "text/plain, text/markdown, text/html, application/pdf",
        })
    }
}

/// A kind of personal data that ingestion detects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    Email,
    Phone,
    /// A payment card number that passes the Luhn check.
    PaymentCard,
    UsSsn,
    Iban,
    IpAddress,
}

impl PiiKind {
    pub const ALL: [PiiKind; 6] =
        [Self::Email, Self::Phone, Self::PaymentCard, Self::UsSsn, Self::Iban, Self::IpAddress];

    /// The snake_case name used in events, the API and metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::PaymentCard => "payment_card",
            Self::UsSsn => "us_ssn",
            Self::Iban => "iban",
            Self::IpAddress => "ip_address",
        }
    }

    /// What replaces a redacted value in indexed text, such as `[EMAIL]`.
    pub const fn redaction_marker(self) -> &'static str {
        match self {
            Self::Email => "[EMAIL]",
            Self::Phone => "[PHONE]",
            Self::PaymentCard => "[CARD]",
            Self::UsSsn => "[SSN]",
            Self::Iban => "[IBAN]",
            Self::IpAddress => "[IP]",
        }
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What ingestion does with personal data it finds in a project's documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PiiPolicy {
    /// Replace each finding with its kind's marker before indexing (the default).
    #[default]
    Redact,
    /// Index the text as it is, but count the findings.
    Flag,
    /// Do not look.
    Off,
}

/// What the MCP server does with a retrieved chunk that looks like a prompt-injection attack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InjectionPolicy {
    /// Return it, marked as suspicious, so the agent can treat it as data (the default).
    #[default]
    Mark,
    /// Leave it out of the results.
    Withhold,
}
