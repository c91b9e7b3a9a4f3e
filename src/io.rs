//! Reading inputs (`-` is standard input) and writing outputs atomically.
//!
//! Files are written through a temporary file in the target's directory, flushed to disk
//! and renamed over the target, so a failure at any point leaves the target as it was.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// The name used for standard input in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads a whole input: a file path, or `-` for standard input.
pub fn read_input(path: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("cannot read", STDIN_NAME, e))?;
    } else {
        let mut file = File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
        file.read_to_end(&mut bytes)
            .map_err(|e| Error::io("cannot read", path, e))?;
    }
    Ok(bytes)
}

/// The display name of an input path.
pub fn display_name(path: &str) -> &str {
    if path == "-" {
        STDIN_NAME
    } else {
        path
    }
}

/// Where output goes: standard output, or a temporary file beside the target that
/// replaces it only on [`Sink::commit`] (dropped uncommitted, it disappears).
pub enum Sink {
    /// Standard output; `closed` once the reader went away (`| head`).
    Stdout {
        /// The reader closed the pipe: further output is dropped.
        closed: bool,
    },
    /// A temporary file and the target it will replace.
    File {
        /// The temporary file in the target's directory.
        temp: tempfile::NamedTempFile,
        /// The file to replace.
        target: std::path::PathBuf,
    },
}

impl Sink {
    /// Output to standard output.
    pub fn stdout() -> Sink {
        Sink::Stdout { closed: false }
    }

    /// Output to `target`, atomically; an existing target keeps its permissions.
    pub fn file(target: &Path) -> Result<Sink> {
        let temp = temp_beside(target)?;
        if let Ok(meta) = std::fs::metadata(target) {
            temp.as_file()
                .set_permissions(meta.permissions())
                .map_err(|e| Error::io("cannot write", target, e))?;
        }
        Ok(Sink::File {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// Appends bytes.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Sink::Stdout { closed: true } => Ok(()),
            Sink::Stdout { closed } => {
                let mut out = std::io::stdout().lock();
                match out.write_all(bytes) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                        *closed = true;
                        Ok(())
                    }
                    Err(e) => Err(Error::io("cannot write", "<stdout>", e)),
                    Ok(()) => Ok(()),
                }
            }
            Sink::File { temp, target } => temp
                .write_all(bytes)
                .map_err(|e| Error::io("cannot write", target.as_path(), e)),
        }
    }

    /// Finishes: flushes standard output, or syncs the temp file and renames it over the target.
    pub fn commit(self) -> Result<()> {
        match self {
            Sink::Stdout { closed: true } => Ok(()),
            Sink::Stdout { closed: false } => match std::io::stdout().lock().flush() {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Error::io("cannot write", "<stdout>", e))
                }
                _ => Ok(()),
            },
            Sink::File { temp, target } => {
                let fail = |e: std::io::Error| Error::io("cannot write", target.as_path(), e);
                temp.as_file().sync_all().map_err(fail)?;
                temp.persist(&target).map_err(|e| fail(e.error))?;
                Ok(())
            }
        }
    }
}

fn temp_beside(target: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tcodec-").suffix(".tmp");
    // A new file gets the usual mode (0666 less the umask), not tempfile's private 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
        .tempfile_in(dir)
        .map_err(|e| Error::io("cannot write", target, e))
}

/// Writes `bytes` to `target` atomically: temp file in the same directory, fsync, rename.
/// An existing target keeps its permissions.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<()> {
    let mut sink = Sink::file(target)?;
    sink.write(bytes)?;
    sink.commit()
}

/// Writes secret material to a new file readable only by its owner (mode 0600 on Unix),
/// atomically. Refuses to overwrite an existing file.
pub fn write_secret(target: &Path, bytes: &[u8]) -> Result<()> {
    if target.exists() {
        return Err(Error::io(
            "refusing to overwrite",
            target,
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "file exists"),
        ));
    }
    let fail = |e: std::io::Error| Error::io("cannot write", target, e);
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile creates files with mode 0600 on Unix: right for a key.
    let mut temp = tempfile::Builder::new()
        .prefix(".tcodec-")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist_noclobber(target).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Writes a JSON report to standard output, indented, with a final newline.
pub fn write_json_stdout(value: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(value).map_err(|e| Error::Usage(e.to_string()))?;
    text.push(b'\n');
    write_stdout(&text)
}

/// Writes to standard output. A closed pipe (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io("cannot write", "<stdout>", e))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        std::fs::write(&target, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp left behind"
        );
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing-dir").join("out.json");
        assert!(write_atomic(&target, b"x").is_err());
        assert!(!target.exists());
    }

    #[test]
    fn secrets_are_owner_only_and_never_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("k.key");
        write_secret(&target, b"s").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_secret(&target, b"t").is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"s");
    }
}
