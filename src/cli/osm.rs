//! `geoproof osm-search`: candidate sites from a local OpenStreetMap extract, and
//! `geoproof candidates`: a finding's candidate list (add query results, list, set a
//! status with its reason).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::{Result, anyhow, bail};
use clap::Args;

use geoproof::case::candidates::{self, CandidateStatus, OsmRef, OsmResult};
use geoproof::case::{Case, Edit};
use geoproof::osm::index::{OsmIndex, default_cache_dir};
use geoproof::osm::postgis::PostgisSource;
use geoproof::osm::query::{self, Area, Constraint, Query};
use geoproof::osm::{ATTRIBUTION, filter::TagFilter};

use super::output::{Outcome, print_json};

#[derive(Debug, Args)]
pub struct OsmSearchArgs {
    /// A regional `.osm.pbf` extract (indexed once, cached; the cache is checked against
    /// the extract's size, time and blob index).
    #[arg(required_unless_present = "postgis", conflicts_with = "postgis")]
    extract: Option<PathBuf>,
    /// Query a PostGIS database loaded by `osm2pgsql --hstore-all` instead of an extract:
    /// `host=… dbname=… user=…` or a `postgresql://` URL (no TLS).
    #[arg(long, value_name = "CONNINFO")]
    postgis: Option<String>,
    /// The osm2pgsql table prefix.
    #[arg(
        long,
        value_name = "PREFIX",
        default_value = "planet_osm",
        requires = "postgis"
    )]
    postgis_prefix: String,
    /// The feature to find: KEY=VALUE, KEY, KEY~PATTERN, KEY=A|B, KEY>=NUMBER[UNIT], several
    /// joined by commas, or a preset (place_of_worship, fuel, railway_bridge, …).
    #[arg(long)]
    find: String,
    /// DISTANCE:FILTER: a matching feature within this distance (repeatable).
    #[arg(long = "within", value_name = "DIST:FILTER")]
    within: Vec<String>,
    /// DISTANCE:FILTER: no matching feature within this distance (repeatable).
    #[arg(long = "not-within", value_name = "DIST:FILTER")]
    not_within: Vec<String>,
    /// Search area W,S,E,N in degrees (W > E crosses the antimeridian).
    #[arg(long, allow_hyphen_values = true)]
    bbox: Option<String>,
    /// Search area: a country of the bundled borders (ISO 3166 code).
    #[arg(long)]
    country: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
    #[arg(long)]
    json: bool,
    /// Write the results as GeoJSON.
    #[arg(long, value_name = "OUT.geojson")]
    geojson: Option<PathBuf>,
    /// Where indexes are cached (default: the user cache folder).
    #[arg(long, value_name = "DIR")]
    index_dir: Option<PathBuf>,
    /// Hash the whole extract to check that the cached index was built from it (an
    /// index of other contents is rebuilt).
    #[arg(long, requires = "extract")]
    verify: bool,
}

fn query_of(args: &OsmSearchArgs) -> Result<Query> {
    let find = TagFilter::parse(&args.find).map_err(|e| anyhow!("--find: {e}"))?;
    let mut constraints = Vec::new();
    for (texts, within, flag) in [
        (&args.within, true, "--within"),
        (&args.not_within, false, "--not-within"),
    ] {
        for t in texts {
            constraints.push(Constraint::parse(t, within).map_err(|e| anyhow!("{flag}: {e}"))?);
        }
    }
    let area = match (&args.bbox, &args.country) {
        (Some(_), Some(_)) => bail!("give --bbox or --country, not both"),
        (Some(b), None) => Area::parse_bbox(b).map_err(|e| anyhow!("--bbox {e}"))?,
        (None, Some(c)) => Area::Country(c.clone()),
        (None, None) => Area::Everywhere,
    };
    Ok(Query {
        find,
        constraints,
        area,
        limit: args.limit,
    })
}

pub fn osm_search_command(args: OsmSearchArgs) -> Result<Outcome> {
    let query = query_of(&args)?;
    let borders = geoproof::spatial::Borders::bundled()?;
    let (hits, source) = match (&args.extract, &args.postgis) {
        (Some(extract), _) => {
            let cache = args
                .index_dir
                .clone()
                .or_else(default_cache_dir)
                .ok_or_else(|| anyhow!("no cache folder (HOME is not set): give --index-dir"))?;
            let never = AtomicBool::new(false);
            let index = OsmIndex::open_checked(extract, &cache, args.verify, &|_| {}, &never)
                .map_err(|e| anyhow!("{e}"))?;
            let hits = query::run(&index, &query, Some(borders)).map_err(|e| anyhow!("{e}"))?;
            (
                hits,
                serde_json::json!({ "extract": extract, "sha256": index.source_sha256 }),
            )
        }
        (None, Some(conninfo)) => {
            let mut db = PostgisSource::connect(conninfo, &args.postgis_prefix)
                .map_err(|e| anyhow!("{e}"))?;
            let hits = db.run(&query, Some(borders)).map_err(|e| anyhow!("{e}"))?;
            (hits, serde_json::json!({ "postgis": args.postgis_prefix }))
        }
        (None, None) => bail!("give an extract or --postgis"),
    };
    let description = query.describe();
    if let Some(out) = &args.geojson {
        let features: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [h.lon, h.lat]},
                    "properties": {
                        "osm_type": h.osm_type, "osm_id": h.osm_id, "score": h.score,
                        "name": h.tags.get("name"),
                        "tags": h.tags, "constraints": h.constraints,
                    },
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&serde_json::json!({
            "type": "FeatureCollection",
            "query": description,
            "attribution": ATTRIBUTION,
            "features": features,
        }))?;
        text.push('\n');
        geoproof::case::store::write_atomic(out, text.as_bytes(), false)?;
    }
    if args.json {
        print_json(&serde_json::json!({
            "source": source,
            "query": description,
            "attribution": ATTRIBUTION,
            "results": hits,
        }))?;
    } else {
        println!("{description}: {} results ({ATTRIBUTION})", hits.len());
        for h in &hits {
            let name = h.tags.get("name").map_or("", String::as_str);
            let near: Vec<String> = h
                .constraints
                .iter()
                .map(|c| match &c.nearest {
                    Some(n) => format!("{} {:.0} m", c.filter, n.distance_m),
                    None => format!("{} none", c.filter),
                })
                .collect();
            println!(
                "{:.6}, {:.6}  {:?} {}  {name}  {}",
                h.lat,
                h.lon,
                h.osm_type,
                h.osm_id,
                near.join(", ")
            );
        }
    }
    Ok(Outcome::Success)
}

#[derive(Debug, Args)]
pub struct CandidatesArgs {
    case: PathBuf,
    finding: String,
    /// Add the results of `geoproof osm-search … --json` as unchecked candidates.
    #[arg(long, value_name = "RESULTS.json")]
    add_from: Option<PathBuf>,
    /// Set a candidate's status (with --status and --reason).
    #[arg(long, value_name = "ID")]
    set: Option<String>,
    /// unchecked, possible, likely, ruled_out or confirmed.
    #[arg(long)]
    status: Option<String>,
    #[arg(long, default_value = "")]
    reason: String,
    #[arg(long)]
    list: bool,
    #[arg(long)]
    json: bool,
}

/// The extract an `osm-search --json` result list names, with its SHA-256 (absent for
/// PostGIS and for lists written before the hash was recorded).
fn extract_of(source: &serde_json::Value) -> Option<candidates::OsmExtractRef> {
    let path = source["extract"].as_str()?;
    let sha256 = source["sha256"].as_str()?;
    let name = std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
    Some(candidates::OsmExtractRef {
        name,
        sha256: sha256.to_owned(),
    })
}

pub fn candidates_command(args: CandidatesArgs) -> Result<Outcome> {
    let writes = args.add_from.is_some() || args.set.is_some();
    let mut case = if writes {
        Case::open(&args.case)?
    } else {
        Case::open_read_only(&args.case)?
    };
    let mut finding = case.finding(&args.finding)?.clone();
    if let Some(path) = &args.add_from {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| anyhow!("{}: not JSON ({e})", path.display()))?;
        let results = json["results"].as_array().ok_or_else(|| {
            anyhow!(
                "{}: no \"results\" list (write it with osm-search --json)",
                path.display()
            )
        })?;
        let mut found = Vec::with_capacity(results.len());
        for (i, r) in results.iter().enumerate() {
            let bad = || {
                anyhow!(
                    "{}: result {} has no valid lat, lon, osm_type and osm_id",
                    path.display(),
                    i + 1
                )
            };
            let (Some(lat), Some(lon), Some(osm_id)) =
                (r["lat"].as_f64(), r["lon"].as_f64(), r["osm_id"].as_i64())
            else {
                return Err(bad());
            };
            let osm_type = serde_json::from_value(r["osm_type"].clone()).map_err(|_| bad())?;
            found.push(OsmResult {
                lat,
                lon,
                osm: OsmRef { osm_type, osm_id },
                name: r["tags"]["name"].as_str().map(str::to_owned),
            });
        }
        let extract = extract_of(&json["source"]);
        let added = candidates::add_osm_results_from(
            &mut finding.candidates,
            found,
            json["query"].as_str(),
            extract,
        );
        case.apply(Edit::PutFinding(Box::new(finding.clone())))?;
        case.save()?;
        eprintln!(
            "added {added} candidates to {} ({} already there)",
            finding.id,
            results.len() - added
        );
    }
    if let Some(id) = &args.set {
        let status = args
            .status
            .as_deref()
            .map(|s| {
                CandidateStatus::parse(s).ok_or_else(|| {
                    anyhow!(
                        "--status {s:?}: use unchecked, possible, likely, ruled_out or confirmed"
                    )
                })
            })
            .transpose()?
            .ok_or_else(|| anyhow!("--set needs --status"))?;
        let c = finding
            .candidates
            .iter_mut()
            .find(|c| c.id == *id)
            .ok_or_else(|| anyhow!("finding {} has no candidate {id}", finding.id))?;
        if c.set_status(status, &args.reason, candidates::analyst())
            .is_err()
        {
            bail!("ruling out {id} needs a --reason");
        }
        case.apply(Edit::PutFinding(Box::new(finding.clone())))?;
        case.save()?;
    }
    if args.list || !writes {
        if args.json {
            print_json(&finding.candidates)?;
        } else {
            for c in &finding.candidates {
                println!(
                    "{:<5} {:<10} {:.6}, {:.6}  {}{}",
                    c.id,
                    c.status.as_str(),
                    c.lat,
                    c.lon,
                    c.label,
                    if c.reason.is_empty() {
                        String::new()
                    } else {
                        format!("  — {}", c.reason)
                    }
                );
            }
        }
    }
    Ok(Outcome::Success)
}
