//! The TypeScript twins of the IPC types, generated with ts-rs. A test compares them with
//! `ui/src/lib/bindings.ts` (and rewrites that file when `OTENTIK_UPDATE_BINDINGS=1`), so the
//! UI and Rust cannot drift apart.

use otentik::backup::{Format, Skipped};
use otentik::otpauth::WarningCode;
use otentik::push::{Decision, LoginState, RequestView, ServerCheck};
use otentik::vault::{LockState, PushState, Strength};
use otentik::{Algorithm, Code, OtpKind};
use ts_rs::TS;

use crate::approvals::Language;
use crate::failure::{AppCode, ErrorCode, Failure};
use crate::views::{
    AccountView, AddResult, AnswerView, AppInfo, BackupView, CodeFailure, CodeView, Codes,
    ImportDone, ImportEntry, ImportPreview, LockView, ManualForm, Pending, PendingAccount,
    PhoneTransfer, PushView, RemovalCheck, Requests, Source, StagedFile,
};
use crate::warning::UriWarning;

/// Where the UI keeps the generated file, relative to the repository root.
pub const PATH: &str = "ui/src/lib/bindings.ts";

/// The whole generated file.
pub fn typescript() -> String {
    let declarations = [
        // The core's and the protocol's own enums, as they cross IPC.
        Code::decl(),
        WarningCode::decl(),
        OtpKind::decl(),
        Algorithm::decl(),
        PushState::decl(),
        Decision::decl(),
        LoginState::decl(),
        Format::decl(),
        Skipped::decl(),
        LockState::decl(),
        Strength::decl(),
        // The app's.
        AppCode::decl(),
        ErrorCode::decl(),
        Failure::decl(),
        Language::decl(),
        AccountView::decl(),
        PushView::decl(),
        CodeView::decl(),
        Codes::decl(),
        CodeFailure::decl(),
        UriWarning::decl(),
        Source::decl(),
        PendingAccount::decl(),
        Pending::decl(),
        AddResult::decl(),
        ManualForm::decl(),
        AppInfo::decl(),
        RequestView::decl(),
        ServerCheck::decl(),
        Requests::decl(),
        AnswerView::decl(),
        RemovalCheck::decl(),
        StagedFile::decl(),
        ImportPreview::decl(),
        ImportEntry::decl(),
        ImportDone::decl(),
        BackupView::decl(),
        PhoneTransfer::decl(),
        LockView::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust types (otentik, otentik-protocol, src-tauri) by `cargo test -p otentik-app`.\n\
         // Do not edit: change the Rust types and run the tests with OTENTIK_UPDATE_BINDINGS=1.\n",
    );
    for declaration in declarations {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}
