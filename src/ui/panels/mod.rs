//! The panels around the map. They read the state and push commands; none of them
//! changes the case directly.
//! One file per panel.

mod basemap_menu;
mod case_panel;
mod consent;
mod inspector;
mod ledger;
mod recovery;
pub(crate) mod review_panel;
mod status_bar;
mod top_bar;

pub use case_panel::case_panel_ui;
pub use consent::online_consent_ui;
pub use inspector::inspector_ui;
pub use ledger::ledger_ui;
pub use recovery::recovery_ui;
pub use status_bar::status_bar_ui;
pub use top_bar::top_bar_ui;
