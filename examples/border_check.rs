//! The seed investigation's border check: how far the published arrest point lies from
//! Ukraine, and the nearest point of that border (geodesic, WGS84, Natural Earth 1:10m).
//!
//! `cargo run --example border_check`

use geoproof::spatial::{BorderFilter, Borders, measure, parse_coordinate};

fn main() -> anyhow::Result<()> {
    let arrest = parse_coordinate("53.079839, 34.554344")?;
    let borders = Borders::bundled()?;
    let ukraine = borders
        .country_index("UKR")
        .ok_or_else(|| anyhow::anyhow!("Ukraine is not in the bundled borders"))?;
    let hit = borders
        .nearest_border(arrest, BorderFilter::Country(ukraine))
        .ok_or_else(|| anyhow::anyhow!("no border found"))?;
    let country = borders
        .country_at(arrest)
        .map_or("the sea", |c| c.name_en.as_str());
    println!("arrest point   {arrest} ({country})");
    println!("to Ukraine     {:.2} km", hit.distance_m / 1000.0);
    println!("nearest point  {}", hit.nearest);
    let m = measure(arrest, hit.nearest);
    println!("bearing        {:.1}° from true north", m.azimuth_deg);
    Ok(())
}
