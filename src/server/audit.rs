//! `--audit-log FILE|-`: one JSON line per encode, decode or download request: time,
//! request id, client address, subject (token line, JWT `sub` and email), namespace, route,
//! payload count, key ids used, outcome (status, error kind). Never payload data, tokens or
//! keys. Appended and flushed line by line; SIGHUP reopens the file (logrotate).

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where audit lines go.
pub struct AuditLog {
    path: Option<PathBuf>,
    file: Mutex<Option<File>>,
}

impl AuditLog {
    /// Opens `spec` for appending (`-` is standard output).
    pub fn open(spec: &str) -> Result<Self, String> {
        if spec == "-" {
            return Ok(AuditLog {
                path: None,
                file: Mutex::new(None),
            });
        }
        let path = PathBuf::from(spec);
        let file = open(&path)?;
        Ok(AuditLog {
            path: Some(path),
            file: Mutex::new(Some(file)),
        })
    }

    /// Opens the file again (after logrotate moved it); the old handle is closed.
    pub fn reopen(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let file = open(path)?;
        if let Ok(mut slot) = self.file.lock() {
            *slot = Some(file);
        }
        Ok(())
    }

    /// Appends one entry as a JSON line, flushed.
    pub fn write(&self, entry: &serde_json::Value) {
        let mut line = entry.to_string();
        line.push('\n');
        match &self.path {
            None => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(line.as_bytes()).and_then(|()| out.flush());
            }
            Some(_) => {
                if let Ok(mut slot) = self.file.lock() {
                    if let Some(file) = slot.as_mut() {
                        if file
                            .write_all(line.as_bytes())
                            .and_then(|()| file.flush())
                            .is_err()
                        {
                            super::log::log(format_args!(
                                "tcodec serve: cannot write the audit log (a line was lost)"
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn open(path: &PathBuf) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open --audit-log {}: {e}", path.display()))
}

/// Now as RFC 3339 UTC with milliseconds, e.g. `2026-11-25T23:55:01.123Z`.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        now.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(now_rfc3339().ends_with('Z'));
    }
}
