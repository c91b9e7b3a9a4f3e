//! `tcodec check`: policy checks over payload files and histories, for CI.

use std::collections::BTreeMap;

use super::{for_each_tree, CheckArgs, CheckFormat, Cli};
use crate::check::{check_tree, Finding, Policy, Report};
use crate::error::{Error, ExitStatus, Result};
use crate::io;

/// Checks every input; exit 0 when clean, 1 on violations, worse on unreadable inputs.
pub fn run(cli: &Cli, args: &CheckArgs) -> Result<ExitStatus> {
    // With a remote codec the local configuration is optional; "encoded" then means the
    // encoding of the namespace's first local codec, when one is configured.
    let remote = args.remote.codec_endpoint.is_some() || args.remote.profile.is_some();
    let outer_encoding = match cli.load_config() {
        Ok(config) => match config.codecs_for(&args.namespace) {
            Ok(codecs) => codecs.first().map(|c| c.encoding().to_string()),
            Err(_) if remote => None,
            Err(e) => return Err(e),
        },
        Err(_) if remote => None,
        Err(e) => return Err(e),
    };
    if args.require_encoded && outer_encoding.is_none() {
        return Err(Error::Usage(format!(
            "--require-encoded needs codecs configured for namespace {:?}: with only a remote codec, tcodec cannot tell which encoding is expected",
            args.namespace
        )));
    }
    let pipeline = if args.no_decode {
        None
    } else {
        let options = crate::config::BuildOptions {
            identities: args.identities.clone(),
            deterministic: false,
        };
        Some(args.remote.pipeline(cli, &args.namespace, &options)?)
    };
    let policy = Policy {
        require_encoded: args.require_encoded,
        outer_encoding,
        allowed_key_ids: (!args.allow_key_id.is_empty()).then(|| args.allow_key_id.clone()),
        max_payload_size: args.max_payload_size,
        strict: args.strict,
        max_decoded_total: args.max_decoded_total,
    };
    let options = args.input.read_options();
    let mut total = Report::default();
    let (files, mut worst) = for_each_tree(&args.input.inputs, options, |tree| {
        check_tree(tree, &policy, pipeline.as_ref(), &mut total)
    });
    match args.format {
        CheckFormat::Text => print_text(&total, files),
        CheckFormat::Json => print_json(&total, files)?,
    }
    if !total.violations.is_empty() {
        worst = worst.max(ExitStatus::Violations);
    }
    Ok(worst)
}

fn print_text(report: &Report, files: usize) {
    for v in &report.violations {
        println!("{}: {}: {}", where_(v), v.rule.name(), v.message);
    }
    let mut by_site: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &report.notices {
        let site = match n.site {
            Some("header") => "headers",
            Some("marker-data") => "local-activity marker data",
            Some("search-attribute") => "search attributes",
            _ => "payloads",
        };
        *by_site.entry(site).or_default() += 1;
    }
    if !by_site.is_empty() {
        let parts: Vec<String> = by_site
            .iter()
            .map(|(site, n)| format!("{n} {site}"))
            .collect();
        println!(
            "notice: left plain as the SDKs do by default (not violations; --strict counts headers and marker data): {}",
            parts.join(", ")
        );
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &report.violations {
        *by_rule.entry(v.rule.name()).or_default() += 1;
    }
    let detail = if by_rule.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = by_rule.iter().map(|(r, n)| format!("{n} {r}")).collect();
        format!(" ({})", parts.join(", "))
    };
    println!(
        "checked {files} file{}, {} payload{}: {} violation{}{detail}, {} notice{}",
        plural(files),
        report.payloads,
        plural(report.payloads),
        report.violations.len(),
        plural(report.violations.len()),
        report.notices.len(),
        plural(report.notices.len()),
    );
}

fn where_(f: &Finding) -> String {
    let mut s = f.file.clone();
    if let Some(line) = f.line {
        s.push_str(&format!(": line {line}"));
    }
    if !f.path.is_empty() {
        s.push_str(": ");
        s.push_str(&f.path);
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_json(report: &Report, files: usize) -> Result<()> {
    let value = serde_json::json!({
        "ok": report.violations.is_empty(),
        "files": files,
        "payloads": report.payloads,
        "violations": report.violations,
        "notices": report.notices,
    });
    io::write_json_stdout(&value)
}
