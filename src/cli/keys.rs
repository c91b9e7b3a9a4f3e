//! `tcodec keys used`: the key ids and encodings payloads carry, from the stored metadata.

use super::exit::ExitStatus;
use super::{for_each_tree, CheckFormat, Cli, KeysUsedArgs};
use crate::error::{Error, Result};
use crate::inventory::Inventory;
use crate::io;

/// Prints the inventory of every input.
pub fn used(cli: &Cli, args: &KeysUsedArgs) -> Result<ExitStatus> {
    super::report_flag(args.output.as_deref())?;
    let options = args.input.read_options();
    let mut inventory = Inventory::default();
    let pipeline = match &args.storage {
        Some(namespace) => {
            let pipeline = cli.load_config()?.pipeline(namespace)?;
            if pipeline.storage().is_none() {
                return Err(Error::Usage(format!(
                    "--storage {namespace}: the namespace has no storage table in the config"
                )));
            }
            Some(pipeline)
        }
        None => None,
    };
    let storage = pipeline.as_ref().and_then(|p| p.storage());
    let paths = args.input.files()?;
    let (files, mut worst) = for_each_tree(&paths, options, |tree| inventory.add(tree, storage));
    for line in &inventory.unresolved {
        eprintln!("tcodec: error: {line}");
    }
    if !inventory.unresolved.is_empty() {
        worst = worst.max(ExitStatus::Data);
    }
    match args.format {
        CheckFormat::Json => {
            let value = serde_json::json!({
                "files": files,
                "entries": inventory.entries(),
                "malformed": inventory.malformed,
            });
            io::write_json_stdout(&value)?;
        }
        CheckFormat::Text => {
            let entries = inventory.entries();
            let id_width = entries
                .iter()
                .map(|e| e.key_id.as_deref().unwrap_or("-").len())
                .chain([6])
                .max()
                .unwrap_or(6);
            let enc_width = entries
                .iter()
                .map(|e| e.encoding.len())
                .chain([8])
                .max()
                .unwrap_or(8);
            // temporal-proxy envelopes add a column: distinct wrapped data keys.
            let deks = entries.iter().any(|e| e.data_keys.is_some());
            let mut out = format!(
                "{:id_width$}  {:enc_width$}  {:>8}  {:>5}  {}FIRST SEEN\n",
                "KEY ID",
                "ENCODING",
                "PAYLOADS",
                "FILES",
                if deks { "DATA KEYS  " } else { "" }
            );
            for e in &entries {
                let dek_column = match (deks, e.data_keys) {
                    (false, _) => String::new(),
                    (true, Some(n)) => format!("{n:>9}  "),
                    (true, None) => format!("{:>9}  ", "-"),
                };
                out.push_str(&format!(
                    "{:id_width$}  {:enc_width$}  {:>8}  {:>5}  {dek_column}{}\n",
                    e.key_id.as_deref().unwrap_or("-"),
                    e.encoding,
                    e.payloads,
                    e.files,
                    e.locations.first().map_or("", String::as_str)
                ));
            }
            if inventory.malformed > 0 {
                out.push_str(&format!(
                    "{} payload sites were not valid payloads\n",
                    inventory.malformed
                ));
            }
            io::write_stdout(out.as_bytes())?;
        }
    }
    Ok(worst)
}
