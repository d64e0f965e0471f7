//! `geoproof stamp`: RFC 3161 timestamps of the case's manifest from authorities the
//! analyst names. Only the manifest's SHA-256 leaves the machine, and only with `--yes`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use geoproof::case::{AuthorityReply, Case};

use super::output::Outcome;

#[derive(Debug, Args)]
pub struct StampArgs {
    case: PathBuf,
    /// A timestamp authority's URL (repeatable; two or more recommended), e.g.
    /// http://timestamp.digicert.com, http://timestamp.sectigo.com,
    /// http://timestamp.identrust.com.
    #[arg(long = "tsa", value_name = "URL", required = true)]
    authorities: Vec<String>,
    /// Agree to send the manifest's SHA-256 (nothing else) to these authorities.
    #[arg(long)]
    yes: bool,
    /// The authority's certificate chain (PEM or DER), kept beside the tokens: needed
    /// for tokens that carry no certificates.
    #[arg(long, value_name = "FILE")]
    chain: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn stamp_command(args: StampArgs) -> Result<Outcome> {
    for url in &args.authorities {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            bail!("--tsa {url:?}: not an http(s) address");
        }
    }
    if !args.yes {
        bail!(
            "stamping sends the case manifest's SHA-256 (nothing else) to {}; add --yes to agree",
            args.authorities.join(", ")
        );
    }
    // The chain is read before anything is sent: a bad file stops the command early.
    let chain = match &args.chain {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("--chain {}: {e}", path.display()))?;
            geoproof::timestamp::read_chain(&bytes, &path.display().to_string())?
        }
        None => Vec::new(),
    };
    let mut case = Case::open(&args.case)?;
    let manifest = case.stamp_manifest()?;
    let replies: Vec<AuthorityReply> = args
        .authorities
        .iter()
        .map(|url| send(url, manifest.as_bytes()))
        .collect::<Result<_>>()?;
    let dir = case.store_stamp_with_chain(&manifest, &replies, &chain)?;
    let checks: Vec<_> = case
        .verify_stamps()
        .into_iter()
        .filter(|c| dir.ends_with(&c.what))
        .collect();
    if args.json {
        super::output::print_json(&serde_json::json!({
            "stamp": dir, "manifest_lines": manifest.lines().count(), "checks": checks,
        }))?;
    } else {
        println!(
            "{}: manifest of {} files",
            dir.display(),
            manifest.lines().count()
        );
        for r in &replies {
            if let Err(e) = &r.response {
                println!("{}: no token: {e}", r.url);
            }
        }
        for c in &checks {
            println!("{}", c.summary());
        }
    }
    let valid = checks.iter().filter(|c| c.valid).count();
    Ok(if valid == args.authorities.len() {
        Outcome::Success
    } else {
        Outcome::PartialFailure
    })
}

/// One request: the DER query posted as `application/timestamp-query`.
#[cfg(feature = "gui")]
fn send(url: &str, manifest: &[u8]) -> Result<AuthorityReply> {
    let request = geoproof::timestamp::request(manifest, rand_nonce())
        .map_err(|e| anyhow::anyhow!("building the request: {e}"))?;
    let response = geoproof::timestamp::send(url, &request).map_err(|e| e.to_string());
    Ok(AuthorityReply {
        url: url.to_owned(),
        request,
        response,
    })
}

#[cfg(not(feature = "gui"))]
fn send(_url: &str, _manifest: &[u8]) -> Result<AuthorityReply> {
    bail!("this build has no network support (it was built without the `gui` feature)")
}

#[cfg(feature = "gui")]
fn rand_nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default() as u128);
    h.finish()
}
