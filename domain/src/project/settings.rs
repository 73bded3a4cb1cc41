//! What a project's owner configures about ingestion, retrieval and the MCP server.

use serde::{Deserialize, Serialize};

use crate::{InjectionPolicy, PiiPolicy, ValidationError};

/// Most terms an allow-list holds, and the longest term.
pub const MAX_ALLOW_TERMS: usize = 200;
pub const MAX_ALLOW_TERM_CHARS: usize = 200;
/// The largest embedding dimension a project may declare.
pub const MAX_EMBEDDING_DIMENSION: u32 = 4_096;
/// The default z-score beyond which a submitted embedding's norm is refused as anomalous.
pub const DEFAULT_MAX_NORM_Z: f64 = 4.0;

/// A project's settings; new projects start from [`Default`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectSettings {
    pub pii_policy: PiiPolicy,
    /// Values never treated as personal data (a public support address, say), compared
    /// case-insensitively with whole findings.
    pub pii_allow_list: Vec<String>,
    pub injection_policy: InjectionPolicy,
    /// The length of every embedding in this project, once declared; fixed from then on.
    pub embedding_dimension: Option<u32>,
    /// How many standard deviations from the project's mean norm an embedding may be.
    pub max_norm_z: f64,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        Self {
            pii_policy: PiiPolicy::default(),
            pii_allow_list: Vec::new(),
            injection_policy: InjectionPolicy::default(),
            embedding_dimension: None,
            max_norm_z: DEFAULT_MAX_NORM_Z,
        }
    }
}

impl ProjectSettings {
    /// Checks bounds and tidies the allow-list (trimmed, blanks and duplicates dropped).
    pub fn validated(mut self) -> Result<Self, ValidationError> {
        let mut terms: Vec<String> = Vec::with_capacity(self.pii_allow_list.len());
        for term in self.pii_allow_list.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let chars = term.chars().count();
            if chars > MAX_ALLOW_TERM_CHARS {
                return Err(ValidationError::TooLong {
                    field: "pii_allow_list",
                    max: MAX_ALLOW_TERM_CHARS,
                    actual: chars,
                });
            }
            if !terms.iter().any(|t| t.eq_ignore_ascii_case(term)) {
                terms.push(term.to_owned());
            }
        }
        if terms.len() > MAX_ALLOW_TERMS {
            return Err(ValidationError::TooLong {
                field: "pii_allow_list",
                max: MAX_ALLOW_TERMS,
                actual: terms.len(),
            });
        }
        self.pii_allow_list = terms;
        if let Some(dimension) = self.embedding_dimension {
            if dimension == 0 || dimension > MAX_EMBEDDING_DIMENSION {
                return Err(ValidationError::Malformed {
                    field: "embedding_dimension",
                    reason: "must be between 1 and 4096",
                });
            }
        }
        if !(self.max_norm_z.is_finite() && self.max_norm_z >= 1.0 && self.max_norm_z <= 100.0) {
            return Err(ValidationError::Malformed { field: "max_norm_z", reason: "must be between 1 and 100" });
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_is_trimmed_and_deduplicated() {
        let settings = ProjectSettings {
            pii_allow_list: vec![" help@acme.test ".into(), "".into(), "HELP@acme.test".into()],
            ..ProjectSettings::default()
        };
        assert_eq!(settings.validated().unwrap().pii_allow_list, vec!["help@acme.test".to_owned()]);
    }

    #[test]
    fn out_of_range_settings_name_their_field() {
        let zero = ProjectSettings { embedding_dimension: Some(0), ..ProjectSettings::default() };
        assert_eq!(zero.validated().unwrap_err().field(), "embedding_dimension");
        let z = ProjectSettings { max_norm_z: f64::NAN, ..ProjectSettings::default() };
        assert_eq!(z.validated().unwrap_err().field(), "max_norm_z");
    }
}
