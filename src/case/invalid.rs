//! What is wrong with a record: the one error every record check in `case` returns
//! (an edit, or a file somebody else wrote). Each variant names the field and the value
//! that failed, so a caller can say which file it came from and a test can ask what
//! failed without matching message text. A leaf module: the checks all stand on it.

/// A record (or part of one) that breaks a rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Invalid {
    #[error("{field} is {len} bytes long (at most {max})")]
    TooLong {
        field: String,
        len: usize,
        max: usize,
    },
    #[error("{count} {field} (at most {max})")]
    TooMany {
        field: String,
        count: usize,
        max: usize,
    },
    #[error("{field} {value} is outside {min}..{max}")]
    OutOfRange {
        field: String,
        value: f64,
        min: f64,
        max: f64,
    },
    /// An id shown to people (`P1`, `A3`, a finding id); `value` is cut to 40 characters.
    #[error("{field} id {value:?} is not 1–64 letters, digits, '-' or '_'")]
    NotAnId { field: String, value: String },
    /// `value` is cut to 40 characters.
    #[error("{field} {value:?} is not a SHA-256 digest")]
    NotADigest { field: String, value: String },
    /// A stored file path that is not where the record's file belongs.
    #[error("{field} {value:?} is not {place} (expected {expected})")]
    Misplaced {
        field: String,
        value: String,
        place: &'static str,
        expected: String,
    },
    /// A stored path that leaves the case folder or cannot be resolved inside it.
    #[error("path {path:?} {reason}")]
    Outside { path: String, reason: &'static str },
    /// Any other rule: `field` names what broke it, `message` says how (with the value).
    #[error("{message}")]
    Rule { field: String, message: String },
    /// An imagery layer the case lists.
    #[error(transparent)]
    Layer(#[from] crate::imagery::LayerRefError),
    /// A problem inside a part of the record (`panel P1`, `georeference`, `review`).
    #[error("{part}: {problem}")]
    In { part: String, problem: Box<Invalid> },
}

impl Invalid {
    /// A rule about `field`, said in `message`.
    pub fn rule(field: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid::Rule {
            field: field.into(),
            message: message.into(),
        }
    }

    /// This problem, found inside `part` of a record.
    pub fn within(self, part: impl Into<String>) -> Invalid {
        Invalid::In {
            part: part.into(),
            problem: Box::new(self),
        }
    }

    /// The field that failed, inside any parts it was found in.
    pub fn field(&self) -> &str {
        match self {
            Invalid::TooLong { field, .. }
            | Invalid::TooMany { field, .. }
            | Invalid::OutOfRange { field, .. }
            | Invalid::NotAnId { field, .. }
            | Invalid::NotADigest { field, .. }
            | Invalid::Misplaced { field, .. }
            | Invalid::Rule { field, .. } => field,
            Invalid::Outside { .. } => "path",
            Invalid::Layer(crate::imagery::LayerRefError::Opacity { .. }) => "layer opacity",
            Invalid::Layer(crate::imagery::LayerRefError::NotLocal { .. }) => "layer path",
            Invalid::Layer(crate::imagery::LayerRefError::Date { .. }) => "layer date",
            Invalid::In { problem, .. } => problem.field(),
        }
    }
}

/// At most 40 characters of `s`, for messages about a value that may be huge.
pub(crate) fn truncated(s: &str) -> String {
    short_text(s, 40)
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub fn short_text(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// `Err(problem.within(part))` for `?` chains: `check().map_err(within("panel P1"))`.
pub fn within(part: impl Into<String>) -> impl FnOnce(Invalid) -> Invalid {
    let part = part.into();
    move |e| e.within(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_problem_names_its_part_and_field() {
        let e = Invalid::OutOfRange {
            field: "view zoom".into(),
            value: -1.0,
            min: 0.0,
            max: 10.0,
        }
        .within("panel P1");
        assert_eq!(e.to_string(), "panel P1: view zoom -1 is outside 0..10");
        assert_eq!(e.field(), "view zoom");
    }
}
