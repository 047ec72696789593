//! One module per subcommand.

pub mod add;
pub mod code;
pub mod convert;
pub mod export;
pub mod inspect;
pub mod list;
pub mod remove;
pub mod rename;
pub mod reorder;
