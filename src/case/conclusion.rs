//! The conclusion of a comparison on a written scale, and the warnings its linked
//! features call for.

use serde::{Deserialize, Serialize};

use super::comparison::{Assessment, FeatureClass, LinkedFeature};

/// A comparison's conclusion, strongest "same" first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConclusionScale {
    StrongSupportSame,
    SupportSame,
    Inconclusive,
    SupportDifferent,
    StrongSupportDifferent,
    /// The items cannot be the same (an individualising feature is inconsistent).
    Elimination,
}

impl ConclusionScale {
    pub const ALL: [ConclusionScale; 6] = [
        ConclusionScale::StrongSupportSame,
        ConclusionScale::SupportSame,
        ConclusionScale::Inconclusive,
        ConclusionScale::SupportDifferent,
        ConclusionScale::StrongSupportDifferent,
        ConclusionScale::Elimination,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConclusionScale::StrongSupportSame => "strong_support_same",
            ConclusionScale::SupportSame => "support_same",
            ConclusionScale::Inconclusive => "inconclusive",
            ConclusionScale::SupportDifferent => "support_different",
            ConclusionScale::StrongSupportDifferent => "strong_support_different",
            ConclusionScale::Elimination => "elimination",
        }
    }

    pub fn parse(text: &str) -> Option<ConclusionScale> {
        let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        ConclusionScale::ALL.into_iter().find(|c| c.as_str() == t)
    }

    /// The step's name as people read it: `strong support for same`…
    pub fn label(self) -> &'static str {
        match self {
            ConclusionScale::StrongSupportSame => "strong support for same",
            ConclusionScale::SupportSame => "support for same",
            ConclusionScale::Inconclusive => "inconclusive",
            ConclusionScale::SupportDifferent => "support for different",
            ConclusionScale::StrongSupportDifferent => "strong support for different",
            ConclusionScale::Elimination => "elimination",
        }
    }

    /// The written wording a report and the inspector show with the step.
    pub fn wording(self) -> &'static str {
        match self {
            ConclusionScale::StrongSupportSame => {
                "The observations provide strong support that the items are the same."
            }
            ConclusionScale::SupportSame => {
                "The observations provide support that the items are the same."
            }
            ConclusionScale::Inconclusive => {
                "The observations support neither the items being the same nor different."
            }
            ConclusionScale::SupportDifferent => {
                "The observations provide support that the items are different."
            }
            ConclusionScale::StrongSupportDifferent => {
                "The observations provide strong support that the items are different."
            }
            ConclusionScale::Elimination => {
                "The items are not the same: a feature that would have to match does not."
            }
        }
    }

    /// A conclusion towards "same".
    pub fn is_same(self) -> bool {
        matches!(
            self,
            ConclusionScale::StrongSupportSame | ConclusionScale::SupportSame
        )
    }
}

/// The conclusion a comparison finding states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conclusion {
    pub scale: ConclusionScale,
    /// The analyst's own words beside the scale's wording.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What a reader should be warned of about a conclusion and the features behind it.
pub fn warnings(conclusion: Option<&Conclusion>, links: &[LinkedFeature]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(c) = conclusion else {
        return out;
    };
    let consistent = |class: FeatureClass| {
        links
            .iter()
            .any(|l| l.assessment == Assessment::Consistent && l.feature_class == Some(class))
    };
    if c.scale.is_same() && !consistent(FeatureClass::Individualising) {
        out.push(format!(
            "\"{}\" rests on class features only (type, colour, model): no consistent \
             individualising feature (damage, wear, a unique print) is linked",
            c.scale.as_str()
        ));
    }
    if c.scale.is_same()
        && links
            .iter()
            .any(|l| l.assessment == Assessment::Inconsistent)
    {
        out.push(format!(
            "\"{}\" while a linked feature is assessed inconsistent",
            c.scale.as_str()
        ));
    }
    let unclassed = links.iter().filter(|l| l.feature_class.is_none()).count();
    if unclassed > 0 {
        out.push(format!(
            "{unclassed} linked feature(s) not classed as class or individualising"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(class: Option<FeatureClass>, assessment: Assessment) -> LinkedFeature {
        LinkedFeature {
            number: 1,
            a: "A1".into(),
            b: "A2".into(),
            description: String::new(),
            assessment,
            feature_class: class,
            quality_limits: Vec::new(),
            search: None,
        }
    }

    #[test]
    fn same_on_class_features_only_is_warned_of() {
        let c = Conclusion {
            scale: ConclusionScale::SupportSame,
            note: String::new(),
        };
        let class_only = [link(Some(FeatureClass::Class), Assessment::Consistent)];
        assert!(warnings(Some(&c), &class_only)[0].contains("class features only"));
        let with_damage = [
            link(Some(FeatureClass::Class), Assessment::Consistent),
            link(Some(FeatureClass::Individualising), Assessment::Consistent),
        ];
        assert!(warnings(Some(&c), &with_damage).is_empty());
        for s in ConclusionScale::ALL {
            assert_eq!(ConclusionScale::parse(s.as_str()), Some(s));
        }
    }
}
