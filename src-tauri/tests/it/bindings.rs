//! `ui/src/lib/bindings.ts` is what ts-rs generates from the Rust types.

#[test]
fn typescript_bindings_are_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(otentik_app::bindings::PATH);
    let generated = otentik_app::bindings::typescript();
    if std::env::var_os("OTENTIK_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "{} is out of date: run `OTENTIK_UPDATE_BINDINGS=1 cargo test -p otentik-app --test it bindings` and commit it",
        path.display()
    );
}
