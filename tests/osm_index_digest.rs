//! The index and query results of the test extracts, as digests recorded from the
//! in-memory builder that preceded the streaming one (commit d5c3ce3): every feature
//! (type, id, tags, geometry, area) in the index's order, and the JSON of a few queries,
//! must come out the same from the builder of today.
#![allow(clippy::unwrap_used)]

mod util;

use std::fmt::Write;
use std::path::Path;

use geoproof::osm::filter::TagFilter;
use geoproof::osm::index::OsmIndex;
use geoproof::osm::query::{self, Area, Constraint, Query};
use sha2::{Digest, Sha256};

fn digests(path: &Path) -> (usize, String, String) {
    let index = OsmIndex::build_uncached(path).unwrap();
    let mut rows = String::new();
    for f in index.features() {
        let tags: Vec<_> = f.tags().collect();
        writeln!(
            rows,
            "{:?} {} {:?} {:?} {}",
            f.osm_type(),
            f.id(),
            tags,
            f.parts(),
            f.is_area()
        )
        .unwrap();
    }
    let mut results = String::new();
    for (find, within, not_within) in [
        ("highway=bus_stop", "250m:amenity=post_box", "50m:building"),
        ("building", "100m:amenity=place_of_worship", "20m:highway"),
        ("amenity", "300m:landuse", "10m:natural=tree"),
    ] {
        let q = Query {
            find: TagFilter::parse(find).unwrap(),
            constraints: vec![
                Constraint::parse(within, true).unwrap(),
                Constraint::parse(not_within, false).unwrap(),
            ],
            area: Area::Everywhere,
            limit: None,
        };
        let hits = query::run(&index, &q, None).unwrap();
        writeln!(results, "{}", serde_json::to_string(&hits).unwrap()).unwrap();
    }
    let hex = |s: &str| format!("{:x}", Sha256::digest(s.as_bytes()));
    (index.len(), hex(&rows), hex(&results))
}

#[test]
fn the_index_and_query_results_are_those_of_the_in_memory_builder() {
    let mut failed = Vec::new();
    for (name, want) in [
        (
            "osm/liechtenstein-latest.osm.pbf",
            (
                "LI",
                20387,
                "55a2cb615ff071363419dcb616f44f5d1f30a2f921443474e55644fa0efaa134",
                "b923605b3107af5b3de44420bf730cde481ecdd9ca4de5f66592c52c04d91897",
            ),
        ),
        (
            "real/osm/vaduz.osm.pbf",
            (
                "V",
                625,
                "e2c7a9c7c9892dab4a7fa18d1efa6a0d28a2c7209d7739d11bef4ff8c153afd6",
                "97e260df7d9b972da17be09ad54f191614ba8f405248ecf276956f60b16ec4fe",
            ),
        ),
        (
            "real/osm/vaduz-locations-on-ways.osm.pbf",
            (
                "V",
                625,
                "e2c7a9c7c9892dab4a7fa18d1efa6a0d28a2c7209d7739d11bef4ff8c153afd6",
                "97e260df7d9b972da17be09ad54f191614ba8f405248ecf276956f60b16ec4fe",
            ),
        ),
    ] {
        let got = digests(&util::data(name));
        println!("{name}: {got:?}");
        failed.push((name, got != (want.1, want.2.to_owned(), want.3.to_owned())));
    }
    assert!(failed.iter().all(|(_, f)| !f), "{failed:?}");
}
