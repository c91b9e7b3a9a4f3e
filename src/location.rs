//! Where in the input something happened: file, line of a JSON-lines document, JSON path.

use std::fmt;
use std::sync::Arc;

/// Where in the input something happened: the file, then a JSON path such as `payloads[3]`.
/// The file and execution are shared (a document's many sites clone them for free).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The input file name (`-` or `<stdin>` for standard input).
    pub file: Arc<str>,
    /// The line a document starts on, in JSON lines input.
    pub line: Option<usize>,
    /// A JSON-path-like pointer inside the document (`payloads[3]`, `[0].data`).
    pub path: String,
    /// The execution of an export object the path is in (`workflow "order-17"`).
    pub execution: Option<Arc<str>>,
}

impl Location {
    /// A location at the top of `file`.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: Arc::from(file.into()),
            line: None,
            path: String::new(),
            execution: None,
        }
    }

    /// The same place, inside the execution named `execution`.
    pub fn in_execution(&self, execution: String) -> Self {
        Location {
            execution: Some(Arc::from(execution)),
            ..self.clone()
        }
    }

    /// The same file, at the document starting on `line`.
    pub fn at_line(&self, line: usize) -> Self {
        Location {
            line: Some(line),
            ..self.clone()
        }
    }

    /// The same file, with `path` appended to the JSON path.
    pub fn join(&self, path: &str) -> Self {
        let mut joined = String::with_capacity(self.path.len() + path.len() + 1);
        joined.push_str(&self.path);
        push_segment(&mut joined, path);
        Location {
            path: joined,
            ..self.clone()
        }
    }

    /// The same file and execution at `path` (a whole JSON path, not a segment).
    pub fn at_path(&self, path: String) -> Self {
        Location {
            path,
            ..self.clone()
        }
    }
}

/// Appends one segment to a JSON path as [`Location::join`] does: `[3]` directly, a field
/// name after a `.` (none at the start).
pub fn push_segment(path: &mut String, segment: &str) {
    if !path.is_empty() && !segment.starts_with('[') {
        path.push('.');
    }
    path.push_str(segment);
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(execution) = &self.execution {
            write!(f, " ({execution})")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        Ok(())
    }
}
