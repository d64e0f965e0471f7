//! The basemap part's state: the source in use, one asked for, the analyst's consent to
//! online sources (and a source waiting for it), the custom template being typed, and
//! the network ledger with its panel switch.

use std::sync::Arc;

use super::SourceChoice;
use crate::ui::ledger::NetworkLedger;

pub struct BasemapState {
    /// The basemap in use.
    pub choice: SourceChoice,
    /// A basemap to open at the end of the frame (an online one waits for consent).
    pub requested: Option<SourceChoice>,
    /// Whether the analyst has read what online sources reveal and agreed.
    pub online_consent: bool,
    /// An online source waiting for that agreement (the dialog is open).
    pub consent_request: Option<SourceChoice>,
    /// Every network request of this session.
    pub ledger: Arc<NetworkLedger>,
    pub show_ledger: bool,
    /// The custom tile URL template being typed, and why it was refused.
    pub custom_template: String,
    pub custom_template_error: Option<String>,
}

impl Default for BasemapState {
    fn default() -> BasemapState {
        BasemapState {
            choice: SourceChoice::BlueMarble,
            requested: None,
            online_consent: false,
            consent_request: None,
            ledger: Arc::default(),
            show_ledger: false,
            custom_template: String::new(),
            custom_template_error: None,
        }
    }
}
