//! One module per subcommand.

pub mod add;
pub mod browser_host;
pub mod code;
pub mod convert;
pub mod export;
pub mod import;
pub mod inspect;
pub mod list;
pub mod lock;
pub mod origin;
pub mod password;
pub mod pending;
pub mod push;
pub mod remove;
pub mod rename;
pub mod reorder;
pub mod respond;
pub mod scan;
pub mod status;
pub mod unlock;
pub mod watch;
