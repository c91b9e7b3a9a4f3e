//! `tcodec keygen`: a new random AES-256 key, written owner-only.

use std::io::IsTerminal as _;

use super::exit::ExitStatus;
use super::KeygenArgs;
use crate::error::{Error, Result};
use crate::io;
use crate::keys::{render_key, Key, KeyFormat};

/// Generates a key and writes it to `-o` (mode 0600, never overwriting) or standard output.
pub fn run(quiet: bool, args: &KeygenArgs) -> Result<ExitStatus> {
    if args.age {
        return age(args);
    }
    let key = Key::generate();
    let bytes = render_key(&key, args.format);
    match &args.output {
        Some(path) => {
            io::write_secret(path, &bytes)?;
            let id = args.id.as_deref().unwrap_or("my-key");
            if !quiet {
                eprintln!(
                "tcodec: wrote a new 32-byte key to {}; add it to the config:\n  [keys]\n  {id} = {{ file = {:?} }}",
                path.display(),
                path.display().to_string()
            );
            }
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

/// An age X25519 identity file (`# public key:` comment, then the secret line), written
/// owner-only; the recipient goes to standard output so it can be put in a config.
fn age(args: &KeygenArgs) -> Result<ExitStatus> {
    use age::secrecy::ExposeSecret as _;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret = identity.to_string();
    let text = zeroize::Zeroizing::new(format!(
        "# tcodec age identity\n# public key: {recipient}\n{}\n",
        secret.expose_secret()
    ));
    match &args.output {
        Some(path) => {
            io::write_secret(path, text.as_bytes())?;
            eprintln!(
                "tcodec: wrote an age identity to {}; encode to its recipient with:\n  {{ type = \"age\", recipients = [\"{recipient}\"] }}",
                path.display()
            );
            println!("{recipient}");
        }
        None => {
            if std::io::stdout().is_terminal() {
                return Err(Error::Usage(
                    "refusing to print a secret identity to a terminal; use -o FILE or a redirect"
                        .into(),
                ));
            }
            io::write_stdout(text.as_bytes())?;
        }
    }
    Ok(ExitStatus::Ok)
}
