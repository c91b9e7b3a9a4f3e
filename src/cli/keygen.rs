//! `tcodec keygen`: a new random AES-256 key, written owner-only.

use std::io::IsTerminal as _;

use super::KeygenArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::io;
use crate::keys::{render_key, Key, KeyFormat};

/// Generates a key and writes it to `-o` (mode 0600, never overwriting) or standard output.
pub fn run(args: &KeygenArgs) -> Result<ExitStatus> {
    let key = Key::generate();
    let bytes = render_key(&key, args.format);
    match &args.output {
        Some(path) => {
            io::write_secret(path, &bytes)?;
            let id = args.id.as_deref().unwrap_or("my-key");
            eprintln!(
                "tcodec: wrote a new 32-byte key to {}; add it to the config:\n  [keys]\n  {id} = {{ file = {:?} }}",
                path.display(),
                path.display().to_string()
            );
        }
        None => {
            if args.format == KeyFormat::Raw && std::io::stdout().is_terminal() {
                return Err(Error::Usage(
                    "refusing to print raw key bytes to a terminal; use -o FILE, a redirect, or --format hex".into(),
                ));
            }
            io::write_stdout(&bytes)?;
        }
    }
    Ok(ExitStatus::Ok)
}
