//! Where in the input something happened: file, line of a JSON-lines document, JSON path.

use std::fmt;

/// Where in the input something happened: the file, then a JSON path such as `payloads[3]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The input file name (`-` or `<stdin>` for standard input).
    pub file: String,
    /// The line a document starts on, in JSON lines input.
    pub line: Option<usize>,
    /// A JSON-path-like pointer inside the document (`payloads[3]`, `[0].data`).
    pub path: String,
    /// The execution of an export object the path is in (`workflow "order-17"`).
    pub execution: Option<String>,
}

impl Location {
    /// A location at the top of `file`.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            path: String::new(),
            execution: None,
        }
    }

    /// The same place, inside the execution named `execution`.
    pub fn in_execution(&self, execution: String) -> Self {
        Location {
            execution: Some(execution),
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
        let path = if self.path.is_empty() {
            path.to_string()
        } else if path.starts_with('[') {
            format!("{}{}", self.path, path)
        } else {
            format!("{}.{}", self.path, path)
        };
        Location {
            path,
            ..self.clone()
        }
    }
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
