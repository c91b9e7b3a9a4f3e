//! Reading inputs (`-` is standard input) and writing outputs atomically.
//!
//! Files are written through a temporary file in the target's directory, flushed to disk
//! and renamed over the target, so a failure at any point leaves the target as it was.
//! A symlink target is followed: the file it points to is replaced (atomically, beside
//! itself), the link stays. A target that is not a regular file (a device such as
//! `/dev/null`, a FIFO, `/dev/stdout`) is written straight through: no temporary file,
//! no rename, so a device node is never replaced by a regular file.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// The name used for standard input in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads a whole input: a file path, or `-` for standard input.
/// An input's bytes: memory-mapped for large regular files, else read into memory.
pub enum Input {
    /// Read into memory (standard input, small or special files).
    Owned(Vec<u8>),
    /// A read-only private mapping of a regular file.
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Input::Owned(v) => v,
            Input::Mapped(m) => m,
        }
    }
}

/// Regular files at least this large are mapped instead of read: reading copies every byte
/// into fresh pages the kernel must first zero (a fifth of a big history's decode time,
/// perf), while a mapping shares the page cache.
const MAP_MIN: u64 = 4 << 20;

/// Reads an input file (or standard input for `-`), mapping large regular files.
pub fn open_input(path: &str) -> Result<Input> {
    if crate::storage::bucket::is_url(path) {
        return read_input(path).map(Input::Owned);
    }
    if path != "-" {
        let file = File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io("cannot read", path, e))?;
        if meta.is_file() && meta.len() >= MAP_MIN {
            if let Some(map) = map_file(&file) {
                count_read(map.len());
                return Ok(Input::Mapped(map));
            }
        }
    }
    read_input(path).map(Input::Owned)
}

/// Maps `file` read-only; `None` when the system refuses (the caller reads instead).
#[allow(unsafe_code)]
fn map_file(file: &File) -> Option<memmap2::Mmap> {
    // SAFETY: `Mmap::map` is unsafe because the mapped bytes change (or the process gets
    // SIGBUS) if another process modifies or truncates the file while it is mapped. tcodec
    // itself never writes to an input while reading it: `-o` and `--in-place` write a new
    // temporary file and rename it over the target, which leaves the mapped inode as it
    // was. Inputs being rewritten by other programs at the same time are outside what any
    // reader can give consistent answers for; the mapping is private and read-only.
    unsafe { memmap2::Mmap::map(file) }.ok()
}

/// Bytes of input read (or mapped) so far in this process, for progress bars.
static READ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn count_read(bytes: usize) {
    READ.fetch_add(bytes as u64, std::sync::atomic::Ordering::Relaxed);
}

/// Bytes of input read (or mapped) so far by [`open_input`] and [`read_input`].
pub fn bytes_read() -> u64 {
    READ.load(std::sync::atomic::Ordering::Relaxed)
}

/// Reads an input file (or standard input for `-`) into memory.
pub fn read_input(path: &str) -> Result<Vec<u8>> {
    let bytes = read_whole(path)?;
    count_read(bytes.len());
    Ok(bytes)
}

/// [`read_input`] into `bytes` (emptied first): a buffer reused from input to input keeps
/// its pages, where a fresh one per input is zeroed by the kernel first (perf: a tenth of
/// a `check` over many small export files).
pub fn read_input_into(path: &str, bytes: &mut Vec<u8>) -> Result<()> {
    bytes.clear();
    if crate::storage::bucket::is_url(path) {
        *bytes = read_whole(path)?;
    } else {
        read_local(path, bytes)?;
    }
    count_read(bytes.len());
    Ok(())
}

/// A local file into `bytes` (emptied first), reading at most `limit` bytes: `Ok(false)`,
/// with nothing kept, when the file holds more (it grew since its size was taken). What
/// a window of files holds is then bounded by the sizes taken, whatever the files do.
pub fn read_file_at_most(path: &str, limit: u64, bytes: &mut Vec<u8>) -> Result<bool> {
    bytes.clear();
    let fail = |e| Error::io("cannot read", path, e);
    let file = File::open(path).map_err(fail)?;
    bytes.reserve_exact(usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX));
    file.take(limit.saturating_add(1))
        .read_to_end(bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > limit {
        bytes.clear();
        return Ok(false);
    }
    count_read(bytes.len());
    Ok(true)
}

fn read_whole(path: &str) -> Result<Vec<u8>> {
    if crate::storage::bucket::is_url(path) {
        return crate::storage::prefetch::fetch(path).map_err(|why| Error::Bucket {
            what: format!("cannot fetch {path}"),
            why,
        });
    }
    let mut bytes = Vec::new();
    read_local(path, &mut bytes)?;
    Ok(bytes)
}

/// Appends a local file (or standard input for `-`) to `bytes`.
fn read_local(path: &str, bytes: &mut Vec<u8>) -> Result<()> {
    if path == "-" {
        note_terminal_stdin();
        std::io::stdin()
            .lock()
            .read_to_end(bytes)
            .map_err(|e| Error::io("cannot read", STDIN_NAME, e))?;
    } else {
        let mut file = File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
        file.read_to_end(bytes)
            .map_err(|e| Error::io("cannot read", path, e))?;
    }
    Ok(())
}

/// Says so when standard input is a terminal: a command given no FILE reads it, and would
/// otherwise seem to hang.
pub fn note_terminal_stdin() {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        eprintln!("tcodec: reading standard input (pass a FILE, or pipe one in; Ctrl-D ends)");
    }
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
    /// A device, FIFO or other non-regular file, written directly.
    Direct {
        /// The open target.
        file: File,
        /// The target as named.
        target: std::path::PathBuf,
    },
    /// A temporary file and the target it will replace.
    File {
        /// The temporary file in the target's directory.
        temp: tempfile::NamedTempFile,
        /// The file to replace.
        target: std::path::PathBuf,
        /// Syncs what is written so far while the rest is produced.
        writeback: crate::writeback::Writeback,
        /// Removed by the signal handler if the run is interrupted before the rename.
        tracked: crate::interrupt::Tracked,
    },
}

impl Sink {
    /// Output to standard output.
    pub fn stdout() -> Sink {
        Sink::Stdout { closed: false }
    }

    /// Output to `target`, atomically; an existing target keeps its permissions. Symlinks
    /// are followed; non-regular files are written straight through.
    pub fn file(target: &Path) -> Result<Sink> {
        Sink::file_with(target, false)
    }

    /// [`Sink::file`] for plaintext a codec protected (decoded output): a new file, and
    /// the replacement of an existing one, is readable by its owner only (mode 0600).
    pub fn private_file(target: &Path) -> Result<Sink> {
        Sink::file_with(target, true)
    }

    fn file_with(target: &Path, private: bool) -> Result<Sink> {
        // Our own standard output, however it is named (`-` as everywhere else): write to
        // it as it is (a pipe, a terminal, or a file the shell opened, perhaps for
        // appending).
        if ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
            .iter()
            .any(|alias| target == Path::new(alias))
        {
            return Ok(Sink::stdout());
        }
        // Under /dev and /proc, names are the kernel's: never replace them.
        let kernel = target.starts_with("/dev") || target.starts_with("/proc");
        // The kernel follows the links: what is really there.
        match std::fs::metadata(target) {
            Ok(meta) if meta.is_dir() => Err(Error::io(
                "cannot write",
                target,
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
            )),
            Ok(meta) if kernel || !meta.is_file() => {
                let file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(target)
                    .map_err(|e| Error::io("cannot write", target, e))?;
                Ok(Sink::Direct {
                    file,
                    target: target.to_path_buf(),
                })
            }
            found => {
                let real = resolve_links(target)?;
                let (temp, tracked) = temp_beside(&real, private)?;
                if let (Ok(meta), false) = (found, private) {
                    temp.as_file()
                        .set_permissions(meta.permissions())
                        .map_err(|e| Error::io("cannot write", target, e))?;
                }
                Ok(Sink::File {
                    tracked,
                    temp,
                    target: real,
                    writeback: Default::default(),
                })
            }
        }
    }

    /// Where the next byte goes, for a temporary file that replaces the target only on
    /// commit (what is written there can be taken back); `None` for other sinks.
    pub fn mark(&mut self) -> Result<Option<u64>> {
        use std::io::Seek as _;
        match self {
            Sink::File { temp, target, .. } => temp
                .stream_position()
                .map(Some)
                .map_err(|e| Error::io("cannot write", target.as_path(), e)),
            _ => Ok(None),
        }
    }

    /// Takes back everything written to the temporary file after `mark`.
    pub fn rewind(&mut self, mark: u64) -> Result<()> {
        use std::io::Seek as _;
        if let Sink::File { temp, target, .. } = self {
            let file = temp.as_file_mut();
            file.set_len(mark)
                .and_then(|()| file.seek(std::io::SeekFrom::Start(mark)).map(|_| ()))
                .map_err(|e| Error::io("cannot write", target.as_path(), e))?;
        }
        Ok(())
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
            Sink::Direct { file, target } => file
                .write_all(bytes)
                .map_err(|e| Error::io("cannot write", target.as_path(), e)),
            Sink::File {
                temp,
                target,
                writeback,
                ..
            } => {
                temp.write_all(bytes)
                    .map_err(|e| Error::io("cannot write", target.as_path(), e))?;
                writeback.wrote(temp.as_file(), bytes.len());
                Ok(())
            }
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
            Sink::Direct { mut file, target } => file
                .flush()
                .map_err(|e| Error::io("cannot write", target.as_path(), e)),
            Sink::File {
                temp,
                target,
                writeback,
                tracked: _tracked,
            } => {
                let fail = |e: std::io::Error| Error::io("cannot write", target.as_path(), e);
                writeback.finish().map_err(fail)?;
                temp.as_file().sync_all().map_err(fail)?;
                temp.persist(&target).map_err(|e| fail(e.error))?;
                Ok(())
            }
        }
    }
}

/// Follows symlinks (up to 40, like the kernel) to the path that would really be written;
/// a dangling link resolves to where it points, which is then created.
fn resolve_links(target: &Path) -> Result<std::path::PathBuf> {
    let mut path = target.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link =
                    std::fs::read_link(&path).map_err(|e| Error::io("cannot write", target, e))?;
                path = match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(Error::io(
        "cannot write",
        target,
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// A temporary file beside `target`, tracked for the signal handler (see
/// [`crate::interrupt`]).
fn temp_beside(
    target: &Path,
    private: bool,
) -> Result<(tempfile::NamedTempFile, crate::interrupt::Tracked)> {
    let dir = existing_parent(target)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tcodec-").suffix(".tmp");
    // A new file gets the usual mode (0666 less the umask), not tempfile's private 0600,
    // unless it holds plaintext.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(if private {
            0o600
        } else {
            0o666
        }));
    }
    #[cfg(not(unix))]
    let _ = private;
    crate::interrupt::create(|| builder.tempfile_in(dir), |t| t.path())
        .map_err(|e| Error::io("cannot write", target, e))
}

/// The directory `target` goes in, which must exist: a missing one is named (not the
/// temporary file that could not be made in it).
fn existing_parent(target: &Path) -> Result<&Path> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::io(
            "cannot write",
            target,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "directory {} does not exist (create it first)",
                    dir.display()
                ),
            ),
        ));
    }
    Ok(dir)
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
    let dir = existing_parent(target)?;
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

/// The driver writes the scanner's output through this: a file sink can take back what
/// the scanner wrote when it gives up; stdout cannot, so the scanner finishes first.
impl crate::document::driver::Sink for Sink {
    fn mark(&mut self) -> Result<Option<u64>> {
        Sink::mark(self)
    }

    fn rewind(&mut self, mark: u64) -> Result<()> {
        Sink::rewind(self, mark)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        Sink::write(self, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_at_most_its_size_is_refused_when_it_grew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").unwrap();
        let path = path.to_str().unwrap();
        let mut bytes = b"old".to_vec();
        assert!(read_file_at_most(path, 5, &mut bytes).unwrap());
        assert_eq!(bytes, b"12345");
        assert!(!read_file_at_most(path, 4, &mut bytes).unwrap());
        assert!(bytes.is_empty());
        let missing = dir.path().join("missing");
        let e = read_file_at_most(missing.to_str().unwrap(), 4, &mut bytes).unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
    }

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

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A dangling link creates what it points to.
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("made.json", &dangling).unwrap();
        write_atomic(&dangling, b"x").unwrap();
        assert_eq!(std::fs::read(dir.path().join("made.json")).unwrap(), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_written_through_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        // A FIFO, not /dev/null: a regression here must not replace the machine's device.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"plaintext").unwrap();
        assert_eq!(reader.join().unwrap(), b"plaintext");
        let meta = std::fs::symlink_metadata(&fifo).unwrap();
        assert!(meta.file_type().is_fifo(), "still a FIFO");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file"
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
