//! Input arguments to files: a directory stands for every regular file below it that looks
//! like a document (as ripgrep walks): sorted, hidden files and folders (`.git` among them)
//! skipped, `--glob` to narrow. Files named explicitly are always taken.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// File name endings of documents: JSON, JSON lines, binary protobuf, server archives.
const DOCUMENT_ENDINGS: [&str; 6] = [".json", ".jsonl", ".ndjson", ".pb", ".binpb", ".history"];

/// One input file, and where it sits below a directory argument (for `-o DIR/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path to read (`-`: standard input).
    pub path: String,
    /// Its path below the directory argument it was found under, if any.
    pub below: Option<PathBuf>,
}

/// Every input file of `args`, directories expanded; `glob` (e.g. `*.json`, `2026/**`)
/// narrows what directories give, matched on the path below the directory.
pub fn expand(
    args: &[String],
    glob: Option<&str>,
    select: &crate::storage::bucket::Selection,
) -> Result<Vec<Input>> {
    let matcher = match glob {
        Some(pattern) => Some(
            globset::GlobBuilder::new(pattern)
                .literal_separator(false)
                .build()
                .map_err(|e| Error::Usage(format!("--glob {pattern:?}: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let selects = select.since.is_some() || select.until.is_some() || select.shard.is_some();
    if selects && !args.iter().any(|a| crate::storage::bucket::is_url(a)) {
        return Err(Error::Usage(
            "--since, --until and --shard select the objects of a bucket URL (s3://, gs://); no input is one (for local files, pick the files, or --glob)".into(),
        ));
    }
    let mut out = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if crate::storage::bucket::is_url(arg) {
            let url = crate::storage::bucket::parse(arg).map_err(Error::Usage)?;
            let keys = crate::storage::bucket::list(&url, select).map_err(|why| Error::Bucket {
                what: format!("cannot list {arg}"),
                why,
            })?;
            // A URL naming nothing is a mistake (a typo in the prefix), not a clean run.
            if keys.is_empty() {
                return Err(Error::Bucket {
                    what: format!("nothing to read at {arg}"),
                    why: "no object has this name, and none is under this prefix".into(),
                });
            }
            let before = out.len();
            let base = url.prefix.rsplit_once('/').map_or("", |(dir, _)| dir);
            let base = if url.prefix.ends_with('/') || keys.len() != 1 || keys[0] != url.prefix {
                url.prefix.trim_end_matches('/')
            } else {
                base
            };
            for key in keys {
                let below = PathBuf::from(
                    key.strip_prefix(base)
                        .unwrap_or(&key)
                        .trim_start_matches('/'),
                );
                if matcher.as_ref().is_some_and(|m| !m.is_match(&below)) || !select.takes(&key) {
                    continue;
                }
                out.push(Input {
                    path: url.object(&key),
                    below: Some(below),
                });
            }
            if out.len() == before {
                eprintln!(
                    "tcodec: warning: {arg}: none of its objects is selected (--since/--until, --shard, --glob)"
                );
            }
        } else if arg != "-" && path.is_dir() {
            let mut found = Vec::new();
            // With --glob the glob decides which files count (s3store blobs have no
            // extension); without it, only document extensions.
            walk(path, matcher.is_none(), &mut found)
                .map_err(|e| Error::io("cannot read", path, e))?;
            found.sort();
            for file in found {
                let below = file.strip_prefix(path).unwrap_or(&file).to_path_buf();
                if matcher.as_ref().is_some_and(|m| !m.is_match(&below)) {
                    continue;
                }
                out.push(Input {
                    path: file.display().to_string(),
                    below: Some(below),
                });
            }
        } else {
            out.push(Input {
                path: arg.clone(),
                below: None,
            });
        }
    }
    Ok(out)
}

/// Starts fetching the bucket objects among `paths` (in the order they will be read),
/// `jobs` at a time (see [`crate::storage::prefetch`]).
pub fn prefetch<'a>(paths: impl Iterator<Item = &'a str>, jobs: u16) -> Result<()> {
    let urls: Vec<String> = paths
        .filter(|p| crate::storage::bucket::is_url(p))
        .map(str::to_string)
        .collect();
    crate::storage::prefetch::start(urls, usize::from(jobs)).map_err(|why| Error::Bucket {
        what: "cannot fetch the bucket objects".into(),
        why,
    })
}

/// Whether any argument is a directory or a bucket URL (many files from one argument).
pub fn has_directory(args: &[String]) -> bool {
    args.iter()
        .any(|a| crate::storage::bucket::is_url(a) || (a != "-" && Path::new(a).is_dir()))
}

fn walk(dir: &Path, documents_only: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue; // hidden, .git among them
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, documents_only, out)?;
        } else if kind.is_file()
            && (!documents_only
                || DOCUMENT_ENDINGS
                    .iter()
                    .any(|e| name.to_string_lossy().ends_with(e)))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// How an input with `--type export` is read.
pub enum ExportInput {
    /// A binary object, one execution at a time from this reader.
    Binary(Box<dyn std::io::BufRead>),
    /// The JSON form from standard input, read whole (it cannot be read twice).
    Json(Vec<u8>),
}

/// With `--type export`, how to read the input: a binary object as a buffered reader,
/// never whole (see [`crate::document::executions::looks_binary`]); `None` for the usual
/// path (JSON files, bucket objects).
pub fn export_input(
    path: &str,
    options: crate::document::ReadOptions,
) -> Result<Option<ExportInput>> {
    use crate::document::{DocType, InputFormat};
    use crate::io;
    use std::io::{BufRead as _, Read as _};
    if options.doc_type != DocType::Export
        || !matches!(options.format, InputFormat::Auto | InputFormat::Proto)
        || options.from_values
        || options.from_readable
        || crate::storage::bucket::is_url(path)
    {
        return Ok(None);
    }
    const CAPACITY: usize = 1 << 20;
    let mut reader: Box<dyn std::io::BufRead> = if path == "-" {
        io::note_terminal_stdin();
        Box::new(std::io::BufReader::with_capacity(
            CAPACITY,
            std::io::stdin(),
        ))
    } else {
        let file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
        Box::new(std::io::BufReader::with_capacity(CAPACITY, file))
    };
    let prefix = reader
        .fill_buf()
        .map_err(|e| Error::io("cannot read", path, e))?;
    if options.format == InputFormat::Proto || crate::document::executions::looks_binary(prefix) {
        return Ok(Some(ExportInput::Binary(reader)));
    }
    if path != "-" {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("cannot read", path, e))?;
    Ok(Some(ExportInput::Json(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_give_their_documents_sorted_without_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "b.json",
            "a/c.jsonl",
            "a/.hidden.json",
            ".git/x.json",
            "notes.txt",
            "z/y.pb",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        let arg = d.display().to_string();
        let got: Vec<String> = expand(std::slice::from_ref(&arg), None, &Default::default())
            .unwrap()
            .into_iter()
            .map(|i| i.below.unwrap().display().to_string())
            .collect();
        assert_eq!(got, ["a/c.jsonl", "b.json", "z/y.pb"]);
        let narrowed: Vec<String> = expand(
            std::slice::from_ref(&arg),
            Some("*.json"),
            &Default::default(),
        )
        .unwrap()
        .into_iter()
        .map(|i| i.path)
        .collect();
        assert_eq!(narrowed, [d.join("b.json").display().to_string()]);
        assert!(expand(&[arg], Some("["), &Default::default()).is_err());
        assert_eq!(
            expand(&["-".to_string()], None, &Default::default()).unwrap(),
            [Input {
                path: "-".into(),
                below: None
            }]
        );
    }
}
