//! The flags that choose which objects of an `s3://`/`gs://` input a run takes, and how
//! many it fetches at a time.

use clap::Args;

/// The help heading of the bucket input flags.
const BUCKET_INPUTS: &str = "Bucket inputs (s3://, gs://)";

/// Which objects of an `s3://`/`gs://` input to take.
#[derive(Debug, Clone, Args)]
pub struct SelectArgs {
    /// With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC,
    /// e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)
    #[arg(help_heading = BUCKET_INPUTS, long, value_name = "TIME", value_parser = crate::storage::bucket::parse_time)]
    pub since: Option<String>,

    /// With a bucket URL: only Cloud Export objects written before TIME
    #[arg(help_heading = BUCKET_INPUTS, long, value_name = "TIME", value_parser = crate::storage::bucket::parse_time)]
    pub until: Option<String>,

    /// With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key:
    /// N processes with I = 0..N together take every object exactly once
    #[arg(help_heading = BUCKET_INPUTS, long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,

    /// With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on
    /// (memory: about N + 2 times the largest object)
    #[arg(help_heading = BUCKET_INPUTS, long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
}

impl SelectArgs {
    /// As the storage layer takes it.
    pub fn selection(&self) -> crate::storage::bucket::Selection {
        crate::storage::bucket::Selection {
            since: self.since.clone(),
            until: self.until.clone(),
            shard: self.shard,
        }
    }
}

/// `I/N` with 0 <= I < N.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("expected I/N with 0 <= I < N (e.g. 0/4), found {text:?}");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}
