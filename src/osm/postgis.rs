//! The same queries against a PostGIS database loaded by `osm2pgsql` (its standard
//! `pgsql` output with `--hstore-all`, in EPSG:4326 with `--latlong` or the default
//! Web Mercator): how a team searches a planet that no laptop indexes.
//!
//! Features are the point table's nodes, the line table's ways and the polygon table's
//! ways and relations (multipolygons and closed boundaries; route relations and
//! unclosed boundaries are left out, as the local index leaves routes out). Rows of one
//! relation split by osm2pgsql (without `-G`) are joined again.
//!
//! Each step is one statement: the features to find in the search area, then, per
//! constraint, every feature passing its filter within reach of any of them with its
//! distance as `ST_Distance(…::geography, …::geography)` (on the WGS 84 ellipsoid, as the
//! local index's Karney distances), nearest first. Tag filters go to SQL as a prefilter
//! ([`TagFilter::sql_prefilter`]) and every row is checked again with the same filter the
//! local index uses, so both backends agree on what matches. Area tests, the point
//! reported for a feature, scores and ranking are the local backend's own functions.
//! Every value reaches SQL as a parameter; the table prefix is checked to be an
//! identifier.

use std::collections::{BTreeMap, HashMap};

use postgres::{Client, NoTls};
use serde_json::Value;

use super::feature::{Part, representative_of};
use super::filter::{SqlParams, TagFilter};
use super::index::ignored_key;
use super::query::{self, Constraint, Hit, M_PER_DEG, Nearest, Query};
use super::{OsmError, OsmType};
use crate::spatial::Borders;

/// Web Mercator's latitude limit.
const MERCATOR_MAX_LAT: f64 = 85.051_128;

pub struct PostgisSource {
    client: Client,
    /// The tables' prefix (`planet_osm`).
    prefix: String,
    /// The tables' SRID (4326 or 3857, whatever osm2pgsql was told).
    srid: i32,
    /// Where it is, for the network ledger (never the password): the host or socket
    /// folder, and the database.
    host: String,
    database: String,
}

/// A feature found by the first statement, its rows joined.
struct Anchor {
    kind: i16,
    id: i64,
    tags: HashMap<String, Option<String>>,
    parts: Vec<Part>,
    /// Its geometry rows as hex EWKB, sent back for the constraint statements.
    ewkb: Vec<String>,
}

fn osm_type(kind: i16) -> OsmType {
    match kind {
        0 => OsmType::Node,
        1 => OsmType::Way,
        _ => OsmType::Relation,
    }
}

/// Columns osm2pgsql computes and puts among the tags.
const COMPUTED_KEYS: &[&str] = &["way_area", "z_order"];

/// The feature's OSM tags as the local index keeps them.
fn osm_tags(mut tags: HashMap<String, Option<String>>) -> HashMap<String, Option<String>> {
    tags.retain(|k, _| !COMPUTED_KEYS.contains(&k.as_str()) && !ignored_key(k));
    tags
}

fn tag<'a>(tags: &'a HashMap<String, Option<String>>, key: &str) -> Option<&'a str> {
    tags.get(key).and_then(|v| v.as_deref())
}

/// The vertices of a GeoJSON geometry, grouped into parts (innermost lists of positions),
/// in 1e-7 degrees.
fn parts_of_geojson(text: &str) -> Result<Vec<Part>, OsmError> {
    fn position(v: &Value) -> Option<[i32; 2]> {
        let a = v.as_array()?;
        let x = a.first()?.as_f64()?;
        let y = a.get(1)?.as_f64()?;
        Some([(x * 1e7).round() as i32, (y * 1e7).round() as i32])
    }
    fn walk(v: &Value, out: &mut Vec<Part>) {
        let Some(items) = v.as_array() else { return };
        if let Some(p) = position(v) {
            out.push(vec![p]);
        } else if items.first().and_then(position).is_some() {
            out.push(items.iter().filter_map(position).collect());
        } else {
            for item in items {
                walk(item, out);
            }
        }
    }
    fn geometry(v: &Value, out: &mut Vec<Part>) {
        if let Some(gs) = v.get("geometries").and_then(Value::as_array) {
            for g in gs {
                geometry(g, out);
            }
        } else if let Some(c) = v.get("coordinates") {
            walk(c, out);
        }
    }
    let v: Value = serde_json::from_str(text).map_err(|source| OsmError::Geometry { source })?;
    let mut parts = Vec::new();
    geometry(&v, &mut parts);
    Ok(parts)
}

impl PostgisSource {
    /// Connects (`host=… dbname=… user=…` or a `postgresql://` URL; no TLS) and checks the
    /// tables osm2pgsql writes: `<prefix>_point`, `_line`, `_polygon` with a `tags`
    /// hstore column and one SRID.
    pub fn connect(conninfo: &str, prefix: &str) -> Result<PostgisSource, OsmError> {
        let identifier = !prefix.is_empty()
            && prefix.len() <= 40
            && prefix.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !identifier {
            return Err(OsmError::TablePrefix {
                prefix: prefix.to_owned(),
            });
        }
        let config: postgres::Config = conninfo.parse().map_err(|e| OsmError::Conninfo {
            detail: one_line(&e),
        })?;
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let database = config
            .get_dbname()
            .unwrap_or("(default database)")
            .to_owned();
        let mut client = config.connect(NoTls).map_err(|e| OsmError::Connect {
            detail: one_line(&e),
        })?;
        let mut srids = Vec::new();
        for table in ["point", "line", "polygon"] {
            let name = format!("{prefix}_{table}");
            let columns = client
                .query(
                    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) \
                     FROM pg_attribute a WHERE a.attrelid = to_regclass($1) \
                     AND a.attname IN ('tags', 'way', 'osm_id') AND NOT a.attisdropped",
                    &[&name],
                )
                .map_err(|e| OsmError::Database {
                    detail: one_line(&e),
                })?;
            let column = |n: &str| {
                columns
                    .iter()
                    .find(|r| r.get::<_, String>(0) == n)
                    .map(|r| r.get::<_, String>(1))
            };
            if columns.is_empty() {
                return Err(OsmError::NoTable { table: name });
            }
            if column("tags").as_deref() != Some("hstore") {
                return Err(OsmError::NoHstore { table: name });
            }
            if column("way").is_none() || column("osm_id").is_none() {
                return Err(OsmError::NotOsm2pgsql { table: name });
            }
            let srid: i32 = client
                .query_one(
                    "SELECT Find_SRID(current_schema()::text, $1, 'way')",
                    &[&name],
                )
                .map_err(|e| OsmError::NoSrid {
                    table: name.clone(),
                    detail: one_line(&e),
                })?
                .get(0);
            srids.push(srid);
        }
        if srids.iter().any(|s| *s != srids[0]) {
            return Err(OsmError::MixedSrids { srids });
        }
        Ok(PostgisSource {
            client,
            prefix: prefix.to_owned(),
            srid: srids[0],
            host,
            database,
        })
    }

    /// The host (or socket folder) queries go to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `host/dbname`, to say where queries go (the ledger, the window).
    pub fn label(&self) -> String {
        format!("{}/{}", self.host, self.database)
    }

    /// One `SELECT` per osm2pgsql table, joined by `UNION ALL` (one statement per table
    /// lets each use its spatial index); `select` gets the table and the SQL of the
    /// feature's kind (0 node, 1 way, 2 relation), its id and the rows to keep.
    fn over_tables(&self, select: impl Fn(&str, &str, &str, &str) -> String) -> String {
        let p = &self.prefix;
        [
            (format!("\"{p}_point\""), "0::int2", "f.osm_id", "TRUE"),
            (
                format!("\"{p}_line\""),
                "1::int2",
                "f.osm_id",
                "f.osm_id > 0",
            ),
            (
                format!("\"{p}_polygon\""),
                "CASE WHEN f.osm_id < 0 THEN 2::int2 ELSE 1::int2 END",
                "abs(f.osm_id)",
                "TRUE",
            ),
        ]
        .iter()
        .map(|(table, kind, id, keep)| format!("({})", select(table, kind, id, keep)))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
    }

    /// A box in degrees (west, south, east, north) in the tables' SRID, as SQL.
    fn envelope_sql(&self, b: [f64; 4]) -> String {
        let (s, n) = if self.srid == 4326 {
            (b[1], b[3])
        } else {
            (
                b[1].clamp(-MERCATOR_MAX_LAT, MERCATOR_MAX_LAT),
                b[3].clamp(-MERCATOR_MAX_LAT, MERCATOR_MAX_LAT),
            )
        };
        format!(
            "ST_Transform(ST_MakeEnvelope({:.9}, {s:.9}, {:.9}, {n:.9}, 4326), {})",
            b[0], b[2], self.srid
        )
    }

    /// Runs a query; `borders` is needed for a country area.
    pub fn run(&mut self, query: &Query, borders: Option<&Borders>) -> Result<Vec<Hit>, OsmError> {
        query.check(borders)?;
        let mut anchors = Vec::new();
        let mut seen = HashMap::new();
        for b in query.area.boxes(borders) {
            self.find(&query.find, b, &mut anchors, &mut seen)?;
        }
        let anchors: Vec<(Anchor, [f64; 2])> = anchors
            .into_iter()
            .filter(|a| query.find.matches(|k| tag(&a.tags, k)))
            .map(|a| {
                let at = representative_of(&a.parts);
                (a, at)
            })
            .filter(|(a, at)| !a.parts.is_empty() && query.area.contains(*at, borders))
            .collect();
        let mut nearest: Vec<Vec<Option<Nearest>>> = Vec::new();
        for c in &query.constraints {
            nearest.push(self.nearest(&anchors, c)?);
        }
        let mut hits: Vec<Hit> = anchors
            .iter()
            .enumerate()
            .filter_map(|(i, (a, at))| {
                let tags = || -> BTreeMap<String, String> {
                    a.tags
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                        .collect()
                };
                let per_constraint = nearest.iter().map(|n| n[i].clone());
                query::hit(
                    (osm_type(a.kind), a.id),
                    *at,
                    tags,
                    &query.constraints,
                    per_constraint,
                )
            })
            .collect();
        query::rank(&mut hits, query.limit);
        Ok(hits)
    }

    /// The features passing `filter`'s prefilter in the box, joined by (kind, id).
    fn find(
        &mut self,
        filter: &TagFilter,
        b: [f64; 4],
        anchors: &mut Vec<Anchor>,
        seen: &mut HashMap<(i16, i64), usize>,
    ) -> Result<(), OsmError> {
        let mut params = SqlParams::default();
        let wanted = filter.sql_prefilter("f.tags", &mut params);
        let envelope = self.envelope_sql(b);
        let sql = self.over_tables(|table, kind, id, keep| {
            format!(
                "SELECT {kind}, {id}, f.tags, ST_AsGeoJSON(ST_Transform(f.way, 4326), 9), \
                 f.way::text FROM {table} AS f WHERE {keep} AND f.way && {envelope} AND {wanted}"
            )
        });
        let rows = self.query(&sql, &params)?;
        for row in rows {
            let key: (i16, i64) = (row.get(0), row.get(1));
            let parts = parts_of_geojson(row.get::<_, &str>(3))?;
            let ewkb: String = row.get(4);
            match seen.get(&key) {
                Some(&i) => {
                    let a: &mut Anchor = &mut anchors[i];
                    if !a.ewkb.contains(&ewkb) {
                        a.parts.extend(parts);
                        a.ewkb.push(ewkb);
                    }
                }
                None => {
                    seen.insert(key, anchors.len());
                    anchors.push(Anchor {
                        kind: key.0,
                        id: key.1,
                        tags: osm_tags(row.get(2)),
                        parts,
                        ewkb: vec![ewkb],
                    });
                }
            }
        }
        Ok(())
    }

    /// For each anchor, the nearest feature passing the constraint's filter within its
    /// search reach (not the anchor itself).
    fn nearest(
        &mut self,
        anchors: &[(Anchor, [f64; 2])],
        c: &Constraint,
    ) -> Result<Vec<Option<Nearest>>, OsmError> {
        let mut best: Vec<Option<Nearest>> = vec![None; anchors.len()];
        if anchors.is_empty() {
            return Ok(best);
        }
        let reach = query::search_reach(c);
        let mut params = SqlParams::default();
        let indices: Vec<String> = anchors
            .iter()
            .enumerate()
            .flat_map(|(i, (a, _))| a.ewkb.iter().map(move |_| i.to_string()))
            .collect();
        let geometries: Vec<String> = anchors
            .iter()
            .flat_map(|(a, _)| a.ewkb.iter().cloned())
            .collect();
        let idx = params.push(&format!("{{{}}}", indices.join(",")));
        let geoms = params.push(&format!("{{{}}}", geometries.join(",")));
        let wanted = c.filter.sql_prefilter("f.tags", &mut params);
        // The box test (`&&`, on the tables' own SRID) lets the spatial index work; the
        // geography test is the exact one.
        let dlat = reach / M_PER_DEG * 1.01 + 1e-6;
        let joined = self.over_tables(|table, kind, id, keep| {
            format!(
                "SELECT r.i, {kind}, {id}, f.tags, \
                   ST_Distance(r.g4326::geography, ST_Transform(f.way, 4326)::geography) \
                 FROM reach AS r JOIN {table} AS f ON f.way && r.search \
                 WHERE {keep} AND {wanted} AND ST_DWithin(r.g4326::geography, \
                   ST_Transform(f.way, 4326)::geography, {reach:.6})"
            )
        });
        let sql = format!(
            "WITH anchors AS MATERIALIZED (SELECT i, ST_Transform(ST_Union(g::geometry), 4326) \
               AS g4326 FROM unnest({idx}::int[], {geoms}::text[]) AS u(i, g) GROUP BY i), \
             reach AS MATERIALIZED (SELECT i, g4326, ST_Transform(ST_Expand(ST_Envelope(g4326), \
               {dlat:.9} / greatest(cos(radians(least(greatest(abs(ST_YMin(g4326)), \
               abs(ST_YMax(g4326))), 89.0))), 0.01), {dlat:.9}), {srid}) AS search FROM anchors) \
             SELECT * FROM ({joined}) AS near ORDER BY 1, 5",
            srid = self.srid,
        );
        for row in self.query(&sql, &params)? {
            let i = row.get::<_, i32>(0) as usize;
            let (kind, id): (i16, i64) = (row.get(1), row.get(2));
            let Some((anchor, _)) = anchors.get(i) else {
                continue;
            };
            if best[i].is_some() || (kind, id) == (anchor.kind, anchor.id) {
                continue;
            }
            let tags = osm_tags(row.get(3));
            if !c.filter.matches(|k| tag(&tags, k)) {
                continue;
            }
            best[i] = Some(Nearest {
                osm_type: osm_type(kind),
                osm_id: id,
                distance_m: row.get(4),
            });
        }
        Ok(best)
    }

    fn query(&mut self, sql: &str, params: &SqlParams) -> Result<Vec<postgres::Row>, OsmError> {
        let values: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .0
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.client
            .query(sql, &values)
            .map_err(|e| OsmError::Query {
                detail: one_line(&e),
            })
    }
}

/// A driver error on one line (a database error's message and detail).
fn one_line(e: &postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(db) => format!(
            "{}{}",
            db.message(),
            db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        None => e.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geojson_geometries_become_parts() {
        let p = parts_of_geojson(r#"{"type":"Point","coordinates":[9.5,47.1]}"#).unwrap();
        assert_eq!(p, vec![vec![[95_000_000, 471_000_000]]]);
        let m = parts_of_geojson(
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}"#,
        )
        .unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1][1], [30_000_000, 20_000_000]);
        assert!(parts_of_geojson("not json").is_err());
    }

    #[test]
    fn a_prefix_that_is_not_an_identifier_is_refused_before_connecting() {
        let e = PostgisSource::connect("host=/nonexistent", "x; DROP TABLE y")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("table prefix"), "{e}");
    }
}
