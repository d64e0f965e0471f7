//! Changes to a finding's board content. Each returns the new content; the caller turns
//! a finished gesture into one `Edit::PutFinding` (and one undo step).

use crate::case::Finding;
use crate::case::comparison::{
    Annotation, Assessment, Category, LinkedFeature, PanelSource, Shape, link_color, next_id,
};

/// Adds a panel and returns its id.
pub fn add_panel(finding: &mut Finding, source: PanelSource) -> String {
    finding.add_panel(source)
}

/// Removes a panel with its annotations and their links.
pub fn remove_panel(finding: &mut Finding, panel: &str) {
    let gone: Vec<String> = finding
        .annotations
        .iter()
        .filter(|a| a.panel == panel)
        .map(|a| a.id.clone())
        .collect();
    for id in gone {
        remove_annotation(finding, &id);
    }
    finding.shadows.retain(|s| s.panel != panel);
    finding.panels.retain(|p| p.id != panel);
}

/// Moves a panel `by` places in the panel order (figures lay panels out in this order),
/// stopping at either end.
pub fn move_panel(finding: &mut Finding, panel: &str, by: isize) {
    let Some(from) = finding.panels.iter().position(|p| p.id == panel) else {
        return;
    };
    let to = from
        .saturating_add_signed(by)
        .min(finding.panels.len().saturating_sub(1));
    let p = finding.panels.remove(from);
    finding.panels.insert(to, p);
}

/// Adds a shadow measurement and returns its id (`S1`, `S2`, …).
pub fn add_shadow(finding: &mut Finding, panel: &str, marks: crate::sun::ShadowMarks) -> String {
    let id = next_id("S", finding.shadows.iter().map(|s| s.id.as_str()));
    finding.shadows.push(crate::sun::ShadowMeasurement {
        id: id.clone(),
        panel: panel.to_owned(),
        marks,
        label: String::new(),
        mark_error_px: crate::sun::measure::DEFAULT_MARK_ERROR_PX,
    });
    id
}

/// Adds an annotation and returns its id.
pub fn add_annotation(
    finding: &mut Finding,
    panel: &str,
    shape: Shape,
    category: Category,
) -> String {
    let id = next_id("A", finding.annotations.iter().map(|a| a.id.as_str()));
    finding.annotations.push(Annotation {
        id: id.clone(),
        panel: panel.to_owned(),
        shape,
        label: String::new(),
        category,
        color: None,
        frame: None,
        redaction: None,
    });
    id
}

/// Removes an annotation and any link it takes part in.
pub fn remove_annotation(finding: &mut Finding, id: &str) {
    finding.annotations.retain(|a| a.id != id);
    finding.links.retain(|l| l.a != id && l.b != id);
}

pub fn annotation_mut<'a>(finding: &'a mut Finding, id: &str) -> Option<&'a mut Annotation> {
    finding.annotations.iter_mut().find(|a| a.id == id)
}

/// The link an annotation takes part in.
pub fn link_of<'a>(finding: &'a Finding, annotation: &str) -> Option<&'a LinkedFeature> {
    finding
        .links
        .iter()
        .find(|l| l.a == annotation || l.b == annotation)
}

/// Why two annotations cannot be linked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("no annotation {0}")]
    UnknownAnnotation(String),
    #[error("both annotations are on the same panel; link features across panels")]
    SamePanel,
}

/// Links two annotations on different panels under the next free number and returns it.
/// Either annotation's earlier link is replaced: a feature pairs with one counterpart.
pub fn link(finding: &mut Finding, a: &str, b: &str) -> Result<u32, LinkError> {
    let panel_of = |id: &str| {
        finding
            .annotations
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.panel.clone())
            .ok_or_else(|| LinkError::UnknownAnnotation(id.to_owned()))
    };
    if panel_of(a)? == panel_of(b)? {
        return Err(LinkError::SamePanel);
    }
    finding
        .links
        .retain(|l| l.a != a && l.b != a && l.a != b && l.b != b);
    let number = (1..)
        .find(|n| finding.links.iter().all(|l| l.number != *n))
        .unwrap_or(1);
    finding.links.push(LinkedFeature {
        number,
        a: a.to_owned(),
        b: b.to_owned(),
        description: String::new(),
        assessment: Assessment::Unclear,
        feature_class: None,
        quality_limits: Vec::new(),
        search: None,
    });
    finding.links.sort_by_key(|l| l.number);
    Ok(number)
}

pub fn unlink(finding: &mut Finding, number: u32) {
    finding.links.retain(|l| l.number != number);
}

/// The colour an annotation is drawn in: its link's, else its own, else amber.
pub fn display_color(finding: &Finding, annotation: &Annotation) -> [u8; 3] {
    match link_of(finding, &annotation.id) {
        Some(l) => link_color(l.number),
        None => annotation.color.unwrap_or(DEFAULT_COLOR),
    }
}

/// Unlinked annotations: a saturated magenta that stands out from photographs and from
/// the link palette.
pub const DEFAULT_COLOR: [u8; 3] = [255, 0, 170];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::geometry::rectangle_in;
    use crate::case::FindingKind;

    fn board() -> (Finding, String, String) {
        let mut f = Finding::new(FindingKind::Comparison, "t");
        let sha = "a".repeat(64);
        let p1 = add_panel(
            &mut f,
            PanelSource::Evidence {
                sha256: sha.clone(),
            },
        );
        let p2 = add_panel(&mut f, PanelSource::Evidence { sha256: sha });
        (f, p1, p2)
    }

    #[test]
    fn linking_numbers_features_and_replaces_earlier_pairs() {
        let (mut f, p1, p2) = board();
        let r = rectangle_in([0.0, 0.0, 10.0, 10.0]);
        let a1 = add_annotation(&mut f, &p1, r.clone(), Category::Clothing);
        let a2 = add_annotation(&mut f, &p2, r.clone(), Category::Clothing);
        let a3 = add_annotation(&mut f, &p2, r.clone(), Category::Footwear);
        let a4 = add_annotation(&mut f, &p1, r, Category::Footwear);
        assert_eq!(link(&mut f, &a1, &a2), Ok(1));
        assert_eq!(link(&mut f, &a4, &a3), Ok(2));
        assert_eq!(link(&mut f, &a1, &a4), Err(LinkError::SamePanel));
        assert_eq!(
            link(&mut f, &a1, "A99"),
            Err(LinkError::UnknownAnnotation("A99".into()))
        );
        // Re-pairing a1 with a3 drops both earlier links and takes the lowest free number.
        assert_eq!(link(&mut f, &a1, &a3), Ok(1));
        assert_eq!(f.links.len(), 1);
        assert!(f.check().is_ok());
        remove_annotation(&mut f, &a3);
        assert!(f.links.is_empty());
        // Ids are not reused after a deletion.
        let a5 = add_annotation(
            &mut f,
            &p1,
            rectangle_in([1.0, 1.0, 2.0, 2.0]),
            Category::Other,
        );
        assert_eq!(a5, "A5");
        move_panel(&mut f, &p1, 1);
        assert_eq!(f.panels[1].id, p1);
        move_panel(&mut f, &p1, 5);
        assert_eq!(f.panels[1].id, p1);
        move_panel(&mut f, &p1, -9);
        assert_eq!(f.panels[0].id, p1);
        remove_panel(&mut f, &p1);
        assert!(f.annotations.iter().all(|a| a.panel == p2));
        assert!(f.check().is_ok());
    }
}
