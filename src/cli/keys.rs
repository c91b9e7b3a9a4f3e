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
    // With -n: the key ids the namespace's codecs know, to mark each id in or out.
    let known = match &args.namespace {
        Some(namespace) => {
            let config = cli.load_config()?;
            let codecs = config.codecs_for(namespace)?;
            // The ids the codecs name (a fallback_key opens others, but does not name them;
            // a namespace without keys knows none).
            Some(
                codecs
                    .iter()
                    .flat_map(|c| c.key_ids().into_iter().chain(c.keks()))
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    let configured = |id: Option<&str>| -> Option<bool> {
        let known = known.as_ref()?;
        Some(id.is_some_and(|id| known.iter().any(|k| k == id)))
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
            let mut entries = serde_json::to_value(inventory.entries())
                .map_err(|e| Error::Usage(format!("cannot write the report: {e}")))?;
            for (entry, e) in entries
                .as_array_mut()
                .into_iter()
                .flatten()
                .zip(inventory.entries())
            {
                if let (Some(obj), Some(known), Some(_)) = (
                    entry.as_object_mut(),
                    configured(e.key_id.as_deref()),
                    &e.key_id,
                ) {
                    obj.insert("configured".into(), known.into());
                }
            }
            let value = serde_json::json!({
                "files": files,
                "entries": entries,
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
            let in_ns = args.namespace.as_ref().map(|ns| format!("IN {ns}"));
            let in_width = in_ns.as_ref().map_or(0, String::len).max(3);
            let mut out = format!(
                "{:id_width$}  {:enc_width$}  {:>8}  {:>5}  {}{}FIRST SEEN\n",
                "KEY ID",
                "ENCODING",
                "PAYLOADS",
                "FILES",
                if deks { "DATA KEYS  " } else { "" },
                in_ns
                    .as_ref()
                    .map_or(String::new(), |h| format!("{h:in_width$}  "))
            );
            let mut unknown = 0;
            for e in &entries {
                let dek_column = match (deks, e.data_keys) {
                    (false, _) => String::new(),
                    (true, Some(n)) => format!("{n:>9}  "),
                    (true, None) => format!("{:>9}  ", "-"),
                };
                let in_column = match (&in_ns, &e.key_id, configured(e.key_id.as_deref())) {
                    (None, _, _) => String::new(),
                    (Some(_), Some(_), Some(true)) => format!("{:in_width$}  ", "yes"),
                    (Some(_), Some(_), _) => {
                        unknown += 1;
                        format!("{:in_width$}  ", "NO")
                    }
                    (Some(_), None, _) => format!("{:in_width$}  ", "-"),
                };
                out.push_str(&format!(
                    "{:id_width$}  {:enc_width$}  {:>8}  {:>5}  {dek_column}{in_column}{}\n",
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
            if let (Some(ns), true) = (&args.namespace, unknown > 0 && !cli.quiet) {
                eprintln!(
                    "tcodec: {unknown} key id{} not known to namespace {ns:?}'s codecs (another namespace's data, or a key the config has dropped)",
                    if unknown == 1 { " is" } else { "s are" }
                );
            }
        }
    }
    Ok(worst)
}
