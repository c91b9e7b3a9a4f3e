//! The warning after a decode that left payloads encoded: what is left, and which
//! configured namespace would decode it.

use super::Cli;
use crate::pipeline::Pipeline;
use crate::units::plural;

/// "3 payloads still carry binary/encrypted (key ids test-key-1) after decoding with
/// namespace "zipped"'s pipeline: try -n default (its pipeline decodes them)".
pub(super) fn message(cli: &Cli, pipeline: &Pipeline) -> String {
    let stats = pipeline.stats();
    let left = stats.left();
    let what: Vec<String> = left
        .iter()
        .map(|(encoding, ids)| {
            if ids.is_empty() {
                encoding.clone()
            } else {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                format!("{encoding} (key ids {})", ids.join(", "))
            }
        })
        .collect();
    let mut line = format!(
        "{} payload{} still {} {} after decoding with namespace {:?}'s pipeline, which has no codec or key for {}",
        stats.still_encoded(),
        plural(stats.still_encoded()),
        if stats.still_encoded() == 1 { "carries" } else { "carry" },
        what.join(", "),
        pipeline.namespace(),
        if stats.still_encoded() == 1 { "it" } else { "them" },
    );
    // Suggest configured namespaces whose pipeline decodes every encoding left, with
    // every key id seen.
    if let Ok(config) = cli.load_config() {
        let fits: Vec<&String> = config
            .namespaces()
            .iter()
            .filter(|(name, _)| name.as_str() != pipeline.namespace())
            .filter(|(_, codecs)| {
                left.iter().all(|(encoding, ids)| {
                    codecs.iter().any(|c| {
                        c.encoding() == encoding
                            && ids.iter().all(|id| c.key_ids().contains(&id.as_str()))
                    })
                })
            })
            .map(|(name, _)| name)
            .collect();
        if let Some(first) = fits.first() {
            line.push_str(&format!("; try -n {first}: its pipeline decodes them"));
        }
    }
    line.push_str(" (--strict makes this exit 3)");
    line
}
