//! The server's log lines: one line each to standard error, request fields escaped.

/// A request-supplied log field with spaces, control characters, quotes and backslashes
/// escaped as `\xNN`, so no field can forge another (or another line).
pub fn escape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for c in field.chars() {
        if c.is_ascii_graphic() && c != '"' && c != '\\' {
            out.push(c);
        } else if c.is_ascii() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// Writes one line to standard error; a closed stderr must not take a request down
/// (`eprintln!` panics when the write fails).
pub fn log(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
