//! "Move to another device": an account's `otpauth://` URI as a QR code, drawn as SVG in Rust
//! so the UI receives a picture, not a string it could log.

use otentik::Account;
use qrcode::QrCode;
use qrcode::render::svg;
use zeroize::Zeroizing;

use crate::failure::{AppCode, CommandResult, Failure};

/// The account's URI as an SVG QR code.
pub fn qr_svg(account: &Account) -> CommandResult<String> {
    let uri = Zeroizing::new(otentik::otpauth::format(account));
    svg(&uri)
}

/// Any payload (an `otpauth-migration://` export) as an SVG QR code.
pub fn svg(payload: &str) -> CommandResult<String> {
    let code = QrCode::new(payload.as_bytes())
        .map_err(|e| Failure::new(AppCode::Internal, format!("cannot draw the QR code: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#0b1f14"))
        .light_color(svg::Color("#ffffff"))
        .build())
}
