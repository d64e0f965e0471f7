//! The PostGIS backend against the local index: a throwaway PostgreSQL + PostGIS cluster
//! (`initdb`/`pg_ctl` in a temporary folder, a Unix socket only, no TCP), the test extract
//! loaded by `osm2pgsql --hstore-all` in EPSG:4326 and in Web Mercator, and the same
//! queries through both backends: the same features found, the same nearest features at
//! the same distances (ellipsoidal both ways), the same scores and points.
//!
//! Needs the packages `postgresql`, `postgis` and `osm2pgsql` (`.ci/run` installs them).
//! Run as root (as CI does), the server runs as the `postgres` user.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use geoproof::osm::filter::TagFilter;
use geoproof::osm::index::OsmIndex;
use geoproof::osm::postgis::PostgisSource;
use geoproof::osm::query::{self, Area, Constraint, Hit, Query};

fn extract() -> PathBuf {
    util::data("osm/liechtenstein-latest.osm.pbf")
}

/// PostgreSQL's server programs (`initdb`, `pg_ctl`), from `pg_config` or Debian's place.
fn pg_bin(name: &str) -> PathBuf {
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()).join(name))
        .filter(|p| p.exists());
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .max();
    from_pg_config
        .or(debian)
        .unwrap_or_else(|| panic!("{name} not found: install the postgresql package (see .ci/run)"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A PostgreSQL cluster in a temporary folder, stopped when dropped.
struct Cluster {
    dir: tempfile::TempDir,
}

impl Cluster {
    fn server_command(program: &Path) -> Command {
        if is_root() {
            // PostgreSQL refuses to run as root.
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn start() -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("pg")
            .tempdir_in("/tmp")
            .unwrap();
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown to postgres");
        }
        let data = dir.path().join("data");
        let out = Self::server_command(&pg_bin("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "geoproof", "-E", "UTF8", "--no-sync"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off -c full_page_writes=off",
            dir.path().display()
        );
        let out = Self::server_command(&pg_bin("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.path().join("log"))
            .args(["-w", "start"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(dir.path().join("log")).unwrap_or_default()
        );
        Cluster { dir }
    }

    fn conninfo(&self, db: &str) -> String {
        format!(
            "host={} user=geoproof dbname={db}",
            self.dir.path().display()
        )
    }

    fn psql(&self, db: &str, sql: &str) {
        let out = Command::new("psql")
            .args([
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-d",
                &self.conninfo(db),
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A database with the test extract loaded by osm2pgsql with these options.
    fn load(&self, db: &str, options: &[&str]) {
        self.psql("postgres", &format!("CREATE DATABASE {db}"));
        self.psql(db, "CREATE EXTENSION postgis; CREATE EXTENSION hstore;");
        let out = Command::new("osm2pgsql")
            .args(["--create", "--slim", "--drop", "-H"])
            .arg(self.dir.path())
            .args(["-U", "geoproof", "-d", db])
            .args(options)
            .arg(extract())
            .output()
            .expect("osm2pgsql: install the osm2pgsql package (see .ci/run)");
        assert!(
            out.status.success(),
            "osm2pgsql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Self::server_command(&pg_bin("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn queries() -> Vec<Query> {
    let q = |find: &str, constraints: &[(&str, bool)], area: Area| Query {
        find: TagFilter::parse(find).unwrap(),
        constraints: constraints
            .iter()
            .map(|(c, within)| Constraint::parse(c, *within).unwrap())
            .collect(),
        area,
        limit: None,
    };
    vec![
        // Nodes and ways near nodes and ways (areas: distance zero inside).
        q(
            "place_of_worship",
            &[("300m:amenity=fuel", true)],
            Area::Everywhere,
        ),
        q(
            "highway=bus_stop",
            &[
                ("150m:amenity=post_box", true),
                ("100m:amenity=restaurant", false),
            ],
            Area::Everywhere,
        ),
        // A number with a unit, a pattern, a value list, an area.
        q(
            "building:levels>=4",
            &[("200m:highway=bus_stop", true)],
            Area::Everywhere,
        ),
        q(
            "name~^Sch",
            &[("500m:amenity=school|kindergarten", true)],
            Area::parse_bbox("9.47,47.05,9.64,47.27").unwrap(),
        ),
        q(
            "amenity=parking",
            &[("50m:building=church", true)],
            Area::Country("LIE".into()),
        ),
        // Only a feature to find.
        q("tourism=hotel", &[], Area::Everywhere),
    ]
}

/// Both backends' results agree: same features in the same order, same points for
/// nodes and ways, same nearest features, distances within 5 cm, scores within 1e-4.
fn assert_same(local: &[Hit], db: &[Hit], what: &str) {
    let key = |h: &Hit| (h.osm_type, h.osm_id);
    let local_keys: Vec<_> = local.iter().map(key).collect();
    let db_keys: Vec<_> = db.iter().map(key).collect();
    assert_eq!(local_keys, db_keys, "{what}: features found");
    for (a, b) in local.iter().zip(db) {
        if a.osm_type != geoproof::osm::OsmType::Relation {
            assert!(
                (a.lat - b.lat).abs() < 1e-7 && (a.lon - b.lon).abs() < 1e-7,
                "{what}: point of {:?} {}: {},{} vs {},{}",
                a.osm_type,
                a.osm_id,
                a.lat,
                a.lon,
                b.lat,
                b.lon
            );
        }
        assert_eq!(a.tags, b.tags, "{what}: tags of {}", a.osm_id);
        assert!((a.score - b.score).abs() < 1e-4, "{what}: {a:?} vs {b:?}");
        for (ca, cb) in a.constraints.iter().zip(&b.constraints) {
            match (&ca.nearest, &cb.nearest) {
                (Some(na), Some(nb)) => {
                    assert!(
                        (na.distance_m - nb.distance_m).abs() < 0.05,
                        "{what}: {} from {}: {na:?} vs {nb:?}",
                        ca.filter,
                        a.osm_id
                    );
                    // Equally near features may come in either order.
                    if (na.distance_m - nb.distance_m).abs() > 1e-3 {
                        assert_eq!((na.osm_type, na.osm_id), (nb.osm_type, nb.osm_id));
                    }
                }
                (None, None) => {}
                other => panic!("{what}: {} from {}: {other:?}", ca.filter, a.osm_id),
            }
        }
    }
}

#[test]
fn postgis_and_the_local_index_give_the_same_results() {
    let cluster = Cluster::start();
    cluster.load("osm_latlong", &["--hstore-all", "--latlong"]);
    cluster.load("osm_mercator", &["--hstore-all"]);
    let index = OsmIndex::build_uncached(&extract()).unwrap();
    let borders = geoproof::spatial::Borders::bundled().unwrap();
    for db in ["osm_latlong", "osm_mercator"] {
        let mut source = PostgisSource::connect(&cluster.conninfo(db), "planet_osm").unwrap();
        for q in queries() {
            let local = query::run(&index, &q, Some(borders)).unwrap();
            let remote = source.run(&q, Some(borders)).unwrap();
            assert!(!local.is_empty(), "{}: no results to compare", q.describe());
            assert_same(&local, &remote, &format!("{db}: {}", q.describe()));
        }
        // An unknown country is refused the same way.
        let mut q = queries().remove(0);
        q.area = Area::Country("XXX".into());
        assert_eq!(
            source.run(&q, Some(borders)).err().map(|e| e.to_string()),
            query::run(&index, &q, Some(borders))
                .err()
                .map(|e| e.to_string())
        );
    }

    // The CLI over PostGIS prints what the CLI over the extract prints.
    let cli = |source: &[&std::ffi::OsStr]| {
        let idx = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_geoproof"))
            .arg("osm-search")
            .args(source)
            .args([
                "--find",
                "place_of_worship",
                "--within",
                "300m:amenity=fuel",
            ])
            .args(["--json", "--index-dir"])
            .arg(idx.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["results"].clone()
    };
    let conninfo = cluster.conninfo("osm_latlong");
    let via_db = cli(&["--postgis".as_ref(), conninfo.as_ref()]);
    let via_extract = cli(&[extract().as_os_str()]);
    assert_eq!(
        via_db.as_array().unwrap().len(),
        via_extract.as_array().unwrap().len()
    );
    assert_eq!(via_db[0]["osm_id"], via_extract[0]["osm_id"]);

    #[cfg(feature = "gui")]
    query_builder_over_postgis(&cluster.conninfo("osm_mercator"), &index);

    // Bad input: each a one-line error naming the cause.
    let e = PostgisSource::connect(&cluster.conninfo("no_such_db"), "planet_osm")
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("cannot connect") && e.contains("no_such_db"),
        "{e}"
    );
    cluster.psql("postgres", "CREATE DATABASE empty");
    let e = PostgisSource::connect(&cluster.conninfo("empty"), "planet_osm")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("no table planet_osm_point"), "{e}");
    let e = PostgisSource::connect(&cluster.conninfo("osm_latlong"), "other_prefix")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("no table other_prefix_point"), "{e}");
    cluster.load("osm_no_hstore", &["--latlong"]);
    let e = PostgisSource::connect(&cluster.conninfo("osm_no_hstore"), "planet_osm")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("--hstore-all") && !e.contains('\n'), "{e}");
    let out = Command::new(env!("CARGO_BIN_EXE_geoproof"))
        .args([
            "osm-search",
            "--find",
            "fuel",
            "--postgis",
            "host=/nonexistent/socket",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot connect"), "{stderr}");
}

/// The query builder pointed at the database: the same results as the local index, and
/// each query written to the network ledger.
#[cfg(feature = "gui")]
fn query_builder_over_postgis(conninfo: &str, index: &OsmIndex) {
    use egui_kittest::kittest::Queryable;

    let (_dir, root) = util::new_case();
    let mut h = util::app::app_harness(
        Some(geoproof::case::Case::open(&root).unwrap()),
        egui::vec2(1400.0, 860.0),
    );
    h.run_steps(2);
    {
        let search = h.state_mut().app.as_mut().unwrap().state.osm_search_mut();
        util::app::ask_for_bus_stops_near_post_boxes(search);
        search.postgis_conninfo = conninfo.to_owned();
    }
    h.run_steps(2);
    h.get_by_label_contains("…or a PostGIS database").click();
    h.run_steps(2);
    h.get_by_label("Connect").click();
    let expected = query::run(
        index,
        &Query {
            find: TagFilter::parse("highway=bus_stop").unwrap(),
            constraints: vec![Constraint::parse("150m:amenity=post_box", true).unwrap()],
            area: Area::Everywhere,
            limit: Some(500),
        },
        None,
    )
    .unwrap();
    let mut shown = Vec::new();
    for _ in 0..300 {
        h.run_steps(1);
        let search = &h.state().app.as_ref().unwrap().state.osm_search();
        if let Ok(hits) = &search.results
            && !hits.is_empty()
        {
            shown = hits.clone();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_same(&expected, &shown, "query builder over PostGIS");
    h.run_steps(2);
    h.get_by_label_contains(&format!("{} results", expected.len()));
    h.get_by_label_contains("querying PostGIS at");
    let ledger = h
        .state()
        .app
        .as_ref()
        .unwrap()
        .state
        .basemap()
        .ledger
        .snapshot();
    assert!(
        ledger.iter().any(|e| e
            .purpose
            .as_deref()
            .is_some_and(|p| p.contains("OSM query: find highway=bus_stop"))),
        "every database query is in the network ledger"
    );
    // …with the server it went to (here a socket folder).
    let host = conninfo
        .split_whitespace()
        .find_map(|p| p.strip_prefix("host="))
        .unwrap();
    assert!(ledger.iter().any(|e| e.host == host), "{host}");
}
