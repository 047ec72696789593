//! Aegis vault JSON: see `docs/backup.md`. Read (plain and encrypted, content versions 1–3)
//! and written (Otentik's backup format).

use std::io;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::crypto::{self, Key};
use super::fields::{self, Fields, Json, get, str_of, whole};
use super::{Entry, Extra, Format, Import, Skipped, malformed, require};
use crate::account::OtpKind;
use crate::error::{Error, Result};

const FORMAT: Format = Format::Aegis;
/// The file version Aegis writes and the newest Otentik reads.
const FILE_VERSION: u64 = 1;
/// The newest content (`db`) version Otentik reads, and the one it writes.
const CONTENT_VERSION: u64 = 3;
/// Slot types: 0 raw key, 1 password, 2 biometric. Only password slots can be opened here.
const SLOT_PASSWORD: u64 = 1;
/// The most password slots tried (Aegis writes one, plus a backup-password slot at most).
const MAX_PASSWORD_SLOTS: usize = 8;
/// The scrypt parameters Aegis writes (`CryptoUtils.CRYPTO_SCRYPT_*`).
const SCRYPT_N: u32 = 1 << 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
/// The key of the Otentik-only object on an entry (Aegis ignores unknown keys).
const EXTRA_KEY: &str = "otentik";

/// Reads an Aegis vault.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Import> {
    let file = Json::parse(bytes, FORMAT)?;
    let root = file.value();
    if !root.is_object() {
        return Err(malformed(FORMAT, "not a JSON object"));
    }
    let version = root
        .get("version")
        .and_then(whole)
        .ok_or_else(|| malformed(FORMAT, "no file version"))?;
    if version > FILE_VERSION {
        return Err(newer(format!("file version {version}")));
    }
    let header = get(root, "header")
        .filter(|header| header.is_object())
        .ok_or_else(|| malformed(FORMAT, "no header"))?;
    match get(root, "db") {
        Some(content @ Value::Object(_)) => read_content(content, Import::new(FORMAT, false)),
        Some(Value::String(db)) => {
            let password = require(password, FORMAT)?;
            let plaintext = decrypt(header, db, password)?;
            let content = Json::parse(&plaintext, FORMAT)?;
            read_content(content.value(), Import::new(FORMAT, true))
        }
        _ => Err(malformed(FORMAT, "no vault contents ('db')")),
    }
}

fn read_content(content: &Value, mut import: Import) -> Result<Import> {
    let version = content
        .get("version")
        .and_then(whole)
        .ok_or_else(|| malformed(FORMAT, "the vault contents have no version"))?;
    if version > CONTENT_VERSION {
        return Err(newer(format!("content version {version}")));
    }
    let entries = content
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(FORMAT, "the vault contents have no list of entries"))?;
    for (index, entry) in entries.iter().enumerate() {
        let info = entry.get("info").unwrap_or(&Value::Null);
        let fields = Fields {
            kind: str_of(entry, "type"),
            issuer: str_of(entry, "issuer"),
            name: str_of(entry, "name"),
            secret: get(info, "secret"),
            algorithm: get(info, "algo"),
            digits: get(info, "digits"),
            period: get(info, "period"),
            counter: get(info, "counter"),
        };
        match fields.account() {
            Ok(account) => import.entries.push(Entry {
                account,
                extra: extra(entry),
            }),
            Err(reason) => import.skipped.push(Skipped::new(
                fields.label(|| format!("entry {}", index + 1)),
                reason,
            )),
        }
    }
    Ok(import)
}

/// The Otentik-only object of an entry; anything unexpected in it is ignored.
fn extra(entry: &Value) -> Extra {
    let Some(otentik) = get(entry, EXTRA_KEY) else {
        return Extra::default();
    };
    Extra {
        added_at: get(otentik, "added_at").and_then(Value::as_u64),
        push_url: get(otentik, "push_url")
            .and_then(Value::as_str)
            .filter(|url| !url.is_empty())
            .map(str::to_owned),
        origins: get(otentik, "origins")
            .and_then(Value::as_array)
            .map(|origins| {
                origins
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(|o| crate::origin::Origin::parse(o).ok())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn newer(what: String) -> Error {
    Error::BackupUnsupported {
        format: FORMAT.app_name(),
        what: format!(
            "{what} is newer than Otentik reads (the file was made by a newer Aegis): update Otentik"
        ),
    }
}

/// The decrypted content (UTF-8 JSON) of an encrypted vault.
fn decrypt(header: &Value, db: &str, password: &str) -> Result<Zeroizing<Vec<u8>>> {
    let params = get(header, "params")
        .ok_or_else(|| malformed(FORMAT, "an encrypted vault without 'params'"))?;
    let (nonce, tag) = nonce_and_tag(params, "the vault")?;
    let slots = get(header, "slots")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(FORMAT, "an encrypted vault without key slots"))?;
    let mut sealed = fields::base64(db, FORMAT, "the encrypted vault")?;
    sealed.extend_from_slice(&tag);
    let master = open_slots(slots, password)?;
    crypto::aes_gcm_open(&master, &nonce, &sealed, &[], FORMAT)
}

/// The master key, from the first password slot that `password` opens.
fn open_slots(slots: &[Value], password: &str) -> Result<Key> {
    // Raw and biometric slots are skipped: their keys live on the phone.
    let password_slots: Vec<&Value> = slots
        .iter()
        .filter(|slot| slot.get("type").and_then(whole) == Some(SLOT_PASSWORD))
        .collect();
    // Each slot costs a scrypt run whose parameters come from the file.
    if password_slots.len() > MAX_PASSWORD_SLOTS {
        return Err(Error::BackupUnsupported {
            format: FORMAT.app_name(),
            what: format!(
                "{} password slots, far more than Aegis writes: the file may be hostile",
                password_slots.len()
            ),
        });
    }
    for slot in &password_slots {
        if let Some(master) = open_password_slot(slot, password)? {
            return Ok(master);
        }
    }
    if password_slots.is_empty() {
        return Err(Error::BackupUnsupported {
            format: FORMAT.app_name(),
            what: "the vault has no password slot (only keys kept on the phone): export it again from Aegis with a password".to_owned(),
        });
    }
    Err(crypto::wrong_password(FORMAT))
}

/// The master key if `password` opens `slot`, `None` on a tag failure.
fn open_password_slot(slot: &Value, password: &str) -> Result<Option<Key>> {
    let param = |name: &str| {
        slot.get(name)
            .and_then(whole)
            .ok_or_else(|| malformed(FORMAT, format!("a password slot has no scrypt '{name}'")))
    };
    let n = param("n")?;
    // Out-of-range values are refused by `crypto::scrypt` as too costly.
    let r = u32::try_from(param("r")?).unwrap_or(u32::MAX);
    let p = u32::try_from(param("p")?).unwrap_or(u32::MAX);
    let salt = hex_field(slot, "salt", "a password slot")?;
    let mut wrapped = hex_field(slot, "key", "a password slot")?;
    if wrapped.len() != 32 {
        return Err(malformed(FORMAT, "a slot's key is not 32 bytes"));
    }
    let key_params = get(slot, "key_params")
        .ok_or_else(|| malformed(FORMAT, "a password slot has no 'key_params'"))?;
    let (nonce, tag) = nonce_and_tag(key_params, "a password slot")?;
    wrapped.extend_from_slice(&tag);

    let repaired = slot
        .get("repaired")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut candidates = vec![Zeroizing::new(password.as_bytes().to_vec())];
    if !repaired {
        let old = old_password_bytes(password);
        if old.len() > 64 {
            candidates.push(old);
        }
    }
    for candidate in &candidates {
        let kek = crypto::scrypt(candidate, &salt, n, r, p, FORMAT)?;
        match crypto::aes_gcm_open(&kek, &nonce, &wrapped, &[], FORMAT) {
            Ok(master) => {
                let master: [u8; 32] = master
                    .as_slice()
                    .try_into()
                    .map_err(|_| malformed(FORMAT, "the master key is not 32 bytes"))?;
                return Ok(Some(Zeroizing::new(master)));
            }
            Err(Error::BackupWrongPassword { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(None)
}

/// The password bytes an early Aegis derived slot keys from (Aegis issue #95, kept working
/// by Aegis for slots with `repaired: false`): Java's UTF-8 encoder's whole backing array,
/// i.e. the UTF-8 bytes followed by zeros up to the buffer's capacity. The capacity starts at
/// `(int) (UTF-16 length × 1.1f)` and grows as `2n + 1` until the bytes fit. It only changes
/// the key when it is longer than 64 bytes (HMAC pads shorter keys with zeros anyway).
fn old_password_bytes(password: &str) -> Zeroizing<Vec<u8>> {
    let utf16 = password.encode_utf16().count();
    // Java: `(int) (in.remaining() * averageBytesPerChar())` in single precision.
    let mut capacity = (utf16 as f32 * 1.1_f32) as usize;
    while password.len() > capacity {
        capacity = 2 * capacity + 1;
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    bytes.extend_from_slice(password.as_bytes());
    bytes.resize(capacity, 0);
    bytes
}

fn nonce_and_tag(params: &Value, what: &str) -> Result<([u8; 12], [u8; 16])> {
    let nonce = hex_field(params, "nonce", what)?
        .try_into()
        .map_err(|_| malformed(FORMAT, format!("the nonce of {what} is not 12 bytes")))?;
    let tag = hex_field(params, "tag", what)?
        .try_into()
        .map_err(|_| malformed(FORMAT, format!("the tag of {what} is not 16 bytes")))?;
    Ok((nonce, tag))
}

fn hex_field(object: &Value, key: &str, what: &str) -> Result<Vec<u8>> {
    let text = object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(FORMAT, format!("{what} has no '{key}'")))?;
    hex::decode(text.trim())
        .map_err(|_| malformed(FORMAT, format!("the '{key}' of {what} is not hexadecimal")))
}

// --- writing -----------------------------------------------------------------------------------

#[derive(Serialize)]
struct FileOut<'a> {
    version: u64,
    header: HeaderOut,
    db: DbOut<'a>,
}

#[derive(Serialize)]
struct HeaderOut {
    slots: Option<Vec<SlotOut>>,
    params: Option<ParamsOut>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum DbOut<'a> {
    Plain(&'a ContentOut<'a>),
    Encrypted(String),
}

#[derive(Serialize)]
struct SlotOut {
    #[serde(rename = "type")]
    kind: u64,
    uuid: String,
    key: String,
    key_params: ParamsOut,
    n: u32,
    r: u32,
    p: u32,
    salt: String,
    repaired: bool,
    is_backup: bool,
}

#[derive(Serialize)]
struct ParamsOut {
    nonce: String,
    tag: String,
}

#[derive(Serialize)]
struct ContentOut<'a> {
    version: u64,
    entries: Vec<EntryOut<'a>>,
    groups: [&'static str; 0],
    icons_optimized: bool,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'static str,
    favorite: bool,
    icon: Option<()>,
    info: InfoOut<'a>,
    groups: [&'static str; 0],
    #[serde(rename = "otentik", skip_serializing_if = "Option::is_none")]
    extra: Option<ExtraOut<'a>>,
}

#[derive(Serialize)]
struct InfoOut<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

#[derive(Serialize)]
struct ExtraOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    added_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    push_url: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    origins: &'a [String],
}

impl<'a> EntryOut<'a> {
    fn new(entry: &'a Entry, secret: &'a str) -> Self {
        let account = &entry.account;
        let (algo, digits) = match account.kind {
            OtpKind::Steam => ("SHA1", crate::Account::STEAM_DIGITS),
            OtpKind::Totp | OtpKind::Hotp => (account.algorithm.as_str(), account.digits),
        };
        let (period, counter) = match account.kind {
            OtpKind::Totp | OtpKind::Steam => (Some(account.period), None),
            OtpKind::Hotp => (None, Some(account.counter)),
        };
        let push_url = entry
            .extra
            .push_url
            .as_deref()
            .filter(|url| !url.is_empty());
        let extra = (entry.extra.added_at.is_some()
            || push_url.is_some()
            || !entry.extra.origins.is_empty())
        .then_some(ExtraOut {
            added_at: entry.extra.added_at,
            push_url,
            origins: &entry.extra.origins,
        });
        Self {
            kind: account.kind.as_str(),
            uuid: uuid::Uuid::new_v4().to_string(),
            name: &account.name,
            issuer: &account.issuer,
            note: "",
            favorite: false,
            icon: None,
            info: InfoOut {
                secret,
                algo,
                digits,
                period,
                counter,
            },
            groups: [],
            extra,
        }
    }
}

/// Writes `entries` as an Aegis vault: encrypted under `password` (one scrypt password slot),
/// or plain when `password` is `None`.
pub fn write(entries: &[Entry], password: Option<&str>) -> Result<Vec<u8>> {
    let mut master = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(master.as_mut());
    write_with(entries, password, &master)
}

/// [`write`] with a given master key (tests add slots for the same key).
fn write_with(entries: &[Entry], password: Option<&str>, master: &[u8; 32]) -> Result<Vec<u8>> {
    let secrets: Vec<Zeroizing<String>> = entries
        .iter()
        .map(|entry| entry.account.secret.to_base32())
        .collect();
    let content = ContentOut {
        version: CONTENT_VERSION,
        entries: entries
            .iter()
            .zip(&secrets)
            .map(|(entry, secret)| EntryOut::new(entry, secret))
            .collect(),
        groups: [],
        icons_optimized: true,
    };
    let file = match password {
        None => FileOut {
            version: FILE_VERSION,
            header: HeaderOut {
                slots: None,
                params: None,
            },
            db: DbOut::Plain(&content),
        },
        Some(password) => {
            let plaintext = pretty(&content)?;
            let nonce = crypto::random::<12>();
            let sealed = crypto::aes_gcm_seal(master, &nonce, &plaintext)?;
            let (ciphertext, tag) = split_tag(&sealed)?;
            FileOut {
                version: FILE_VERSION,
                header: HeaderOut {
                    slots: Some(vec![password_slot(master, password)?]),
                    params: Some(ParamsOut {
                        nonce: hex::encode(nonce),
                        tag: hex::encode(tag),
                    }),
                },
                db: DbOut::Encrypted(STANDARD.encode(ciphertext)),
            }
        }
    };
    let mut bytes = pretty(&file)?;
    Ok(std::mem::take(&mut *bytes))
}

/// A password slot wrapping `master`, as Aegis 3.x writes it.
fn password_slot(master: &[u8; 32], password: &str) -> Result<SlotOut> {
    let salt = crypto::random::<32>();
    let kek = crypto::scrypt(
        password.as_bytes(),
        &salt,
        u64::from(SCRYPT_N),
        SCRYPT_R,
        SCRYPT_P,
        FORMAT,
    )?;
    let nonce = crypto::random::<12>();
    let wrapped = crypto::aes_gcm_seal(&kek, &nonce, master)?;
    let (key, tag) = split_tag(&wrapped)?;
    Ok(SlotOut {
        kind: SLOT_PASSWORD,
        uuid: uuid::Uuid::new_v4().to_string(),
        key: hex::encode(key),
        key_params: ParamsOut {
            nonce: hex::encode(nonce),
            tag: hex::encode(tag),
        },
        n: SCRYPT_N,
        r: SCRYPT_R,
        p: SCRYPT_P,
        salt: hex::encode(salt),
        repaired: true,
        is_backup: false,
    })
}

/// `ciphertext ‖ tag` split as Aegis stores it.
fn split_tag(sealed: &[u8]) -> Result<(&[u8], &[u8])> {
    let at = sealed
        .len()
        .checked_sub(16)
        .ok_or_else(|| Error::BackupVerifyFailed {
            detail: "AES-GCM output without a tag".to_owned(),
        })?;
    Ok(sealed.split_at(at))
}

/// JSON with a 4-space indent, like Aegis (Android's `toString(4)`), into a buffer that is
/// wiped, as are the buffers it outgrows.
fn pretty<T: Serialize>(value: &T) -> Result<Zeroizing<Vec<u8>>> {
    let mut buffer = WipingBuffer(Zeroizing::new(Vec::with_capacity(4096)));
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, formatter);
    value
        .serialize(&mut serializer)
        .map_err(|e| Error::BackupVerifyFailed {
            detail: format!("the backup could not be written as JSON: {e}"),
        })?;
    Ok(buffer.0)
}

/// A byte buffer that zeroes its old allocation whenever it grows.
struct WipingBuffer(Zeroizing<Vec<u8>>);

impl io::Write for WipingBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let needed = self.0.len().saturating_add(bytes.len());
        if needed > self.0.capacity() {
            let mut grown = Zeroizing::new(Vec::with_capacity(
                needed.max(self.0.capacity().saturating_mul(2)),
            ));
            grown.extend_from_slice(&self.0);
            self.0 = grown;
        }
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Account, Algorithm};
    use crate::secret::Secret;

    const PASSWORD: &str = "correct horse battery staple";

    fn secret(text: &str) -> Secret {
        Secret::from_base32(text).unwrap()
    }

    /// E1–E5 of the fixtures, with Otentik-only data on two of them.
    fn entries() -> Vec<Entry> {
        let e1 = Account::totp(
            "Dinas PU Kota Bandung · LPSE",
            "budi.santoso@lpse.go.id – Pokja ULP",
            secret("7Q7HCTWVZRZNZ6DN2QVM52PFZUCCUODW"),
        );
        let e2 = Account {
            algorithm: Algorithm::Sha256,
            digits: 8,
            period: 60,
            ..Account::totp(
                "Pemkab Bogor",
                "sri+pengadaan@bogorkab.go.id",
                secret("EXRP5TGL4DV2UDVDSGX6KSOIQD3R4HLZ3PCNTP6E4CYHQTHORMAQ"),
            )
        };
        let e3 = Account {
            algorithm: Algorithm::Sha512,
            digits: 7,
            ..Account::totp(
                "Kementerian PUPR",
                "andi.wijaya",
                secret("5RSACHW2O44UDNVO4LE7VYCBZQBT7BBQ"),
            )
        };
        let e4 = Account {
            kind: OtpKind::Hotp,
            counter: 42,
            ..Account::totp(
                "Bank BJB",
                "rudi.hartono",
                secret("JKSNZ6G4RGF4MDZHCPI6DV72R4XBQO65"),
            )
        };
        let e5 = Account::steam(
            "Steam",
            "gamer_bandung",
            secret("HH5X3QLFUXXWMTZ4GDKYQSJPHF44LWUL"),
        );
        vec![
            Entry {
                account: e1,
                extra: Extra {
                    added_at: Some(1_736_910_000),
                    push_url: Some("https://push.example.go.id/api".to_owned()),
                    origins: vec!["https://lpse.bandung.go.id".to_owned()],
                },
            },
            Entry {
                account: e2,
                extra: Extra {
                    added_at: Some(1_736_909_999),
                    push_url: None,
                    origins: Vec::new(),
                },
            },
            Entry::new(e3),
            Entry::new(e4),
            Entry::new(e5),
        ]
    }

    fn json(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn plain_round_trip() {
        let entries = entries();
        let bytes = write(&entries, None).unwrap();
        assert_eq!(super::super::detect(&bytes), Some(Format::Aegis));
        assert!(!super::super::is_encrypted(&bytes, Format::Aegis));
        let import = read(&bytes, None).unwrap();
        assert!(!import.encrypted);
        assert_eq!(import.entries, entries);
        assert!(import.skipped.is_empty());

        let file = json(&bytes);
        assert_eq!(
            file["header"],
            serde_json::json!({"slots": null, "params": null})
        );
        let db = &file["db"];
        assert_eq!(db["version"], 3);
        assert_eq!(db["groups"], serde_json::json!([]));
        assert_eq!(db["icons_optimized"], true);
        let e1 = &db["entries"][0];
        assert_eq!(e1["note"], "");
        assert_eq!(e1["favorite"], false);
        assert!(e1["icon"].is_null());
        assert_eq!(e1["groups"], serde_json::json!([]));
        assert_eq!(
            e1["otentik"],
            serde_json::json!({
                "added_at": 1_736_910_000,
                "push_url": "https://push.example.go.id/api",
                "origins": ["https://lpse.bandung.go.id"]
            })
        );
        assert_eq!(
            db["entries"][1]["otentik"],
            serde_json::json!({"added_at": 1_736_909_999})
        );
        assert!(db["entries"][2].get("otentik").is_none());
        let e4 = &db["entries"][3]["info"];
        assert_eq!((e4["counter"].as_u64(), e4.get("period")), (Some(42), None));
        let e5 = &db["entries"][4];
        assert_eq!(e5["type"], "steam");
        assert_eq!(e5["info"]["digits"], 5);
        assert_eq!(e5["info"]["period"], 30);
        // Aegis's `toString(4)`: a 4-space indent.
        assert!(
            String::from_utf8(bytes)
                .unwrap()
                .starts_with("{\n    \"version\": 1,\n    \"header\": {\n        \"slots\": null,")
        );
    }

    #[test]
    fn encrypted_round_trip_and_aegis_structure() {
        let entries = entries();
        let bytes = write(&entries, Some(PASSWORD)).unwrap();
        assert_eq!(super::super::detect(&bytes), Some(Format::Aegis));
        assert!(super::super::is_encrypted(&bytes, Format::Aegis));
        let import = read(&bytes, Some(PASSWORD)).unwrap();
        assert!(import.encrypted);
        assert_eq!(import.entries, entries);

        let file = json(&bytes);
        assert_eq!(file["version"], 1);
        let slots = file["header"]["slots"].as_array().unwrap();
        assert_eq!(slots.len(), 1);
        let slot = &slots[0];
        assert_eq!(slot["type"], 1);
        assert_eq!(
            (slot["n"].as_u64(), slot["r"].as_u64(), slot["p"].as_u64()),
            (Some(32768), Some(8), Some(1))
        );
        assert_eq!(slot["salt"].as_str().unwrap().len(), 64);
        assert_eq!(slot["key"].as_str().unwrap().len(), 64);
        assert_eq!(slot["key_params"]["nonce"].as_str().unwrap().len(), 24);
        assert_eq!(slot["key_params"]["tag"].as_str().unwrap().len(), 32);
        assert_eq!(slot["repaired"], true);
        assert_eq!(slot["is_backup"], false);
        let uuid = uuid::Uuid::parse_str(slot["uuid"].as_str().unwrap()).unwrap();
        assert_eq!(uuid.get_version_num(), 4);
        let params = &file["header"]["params"];
        assert_eq!(params["nonce"].as_str().unwrap().len(), 24);
        assert_eq!(params["tag"].as_str().unwrap().len(), 32);
        let db = STANDARD.decode(file["db"].as_str().unwrap()).unwrap();
        assert!(db.len() > 100);

        // The content, opened by hand the way Aegis does it.
        let salt = hex::decode(slot["salt"].as_str().unwrap()).unwrap();
        let kek = crypto::scrypt(PASSWORD.as_bytes(), &salt, 32768, 8, 1, FORMAT).unwrap();
        let mut wrapped = hex::decode(slot["key"].as_str().unwrap()).unwrap();
        wrapped.extend(hex::decode(slot["key_params"]["tag"].as_str().unwrap()).unwrap());
        let nonce = hex::decode(slot["key_params"]["nonce"].as_str().unwrap()).unwrap();
        let master = crypto::aes_gcm_open(&kek, &nonce, &wrapped, &[], FORMAT).unwrap();
        let master: [u8; 32] = master.as_slice().try_into().unwrap();
        let mut sealed = db;
        sealed.extend(hex::decode(params["tag"].as_str().unwrap()).unwrap());
        let nonce = hex::decode(params["nonce"].as_str().unwrap()).unwrap();
        let content = crypto::aes_gcm_open(&master, &nonce, &sealed, &[], FORMAT).unwrap();
        let content = json(&content);
        assert_eq!(content["version"], 3);
        assert_eq!(content["entries"].as_array().unwrap().len(), 5);
        let uuid = uuid::Uuid::parse_str(content["entries"][0]["uuid"].as_str().unwrap()).unwrap();
        assert_eq!(uuid.get_version_num(), 4);
    }

    #[test]
    fn every_write_has_fresh_salt_nonces_and_ids() {
        let entries = entries();
        let one = json(&write(&entries, Some(PASSWORD)).unwrap());
        let two = json(&write(&entries, Some(PASSWORD)).unwrap());
        let (a, b) = (&one["header"]["slots"][0], &two["header"]["slots"][0]);
        assert_ne!(a["salt"], b["salt"]);
        assert_ne!(a["key_params"]["nonce"], b["key_params"]["nonce"]);
        assert_ne!(a["key"], b["key"]);
        assert_ne!(a["uuid"], b["uuid"]);
        assert_ne!(
            one["header"]["params"]["nonce"],
            two["header"]["params"]["nonce"]
        );
        assert_ne!(one["db"], two["db"]);
    }

    #[test]
    fn wrong_or_missing_password_is_refused() {
        let bytes = write(&entries()[..1], Some(PASSWORD)).unwrap();
        let error = read(&bytes, Some("correct horse battery stapler")).unwrap_err();
        assert!(
            matches!(error, Error::BackupWrongPassword { .. }),
            "{error}"
        );
        let error = read(&bytes, None).unwrap_err();
        assert!(
            matches!(error, Error::BackupPasswordRequired { .. }),
            "{error}"
        );
    }

    #[test]
    fn any_password_slot_opens_and_other_slots_are_skipped() {
        let master = [7u8; 32];
        let bytes = write_with(&entries()[..1], Some(PASSWORD), &master).unwrap();
        let mut file = json(&bytes);
        let other =
            serde_json::to_value(password_slot(&master, "another password").unwrap()).unwrap();
        let biometric = serde_json::json!({"type": 2, "key": "00", "key_params": {}});
        let slots = file["header"]["slots"].as_array_mut().unwrap();
        slots.insert(0, other);
        slots.insert(0, biometric.clone());
        let bytes = serde_json::to_vec(&file).unwrap();
        assert_eq!(read(&bytes, Some(PASSWORD)).unwrap().entries.len(), 1);
        assert_eq!(
            read(&bytes, Some("another password"))
                .unwrap()
                .entries
                .len(),
            1
        );

        file["header"]["slots"] = serde_json::json!([biometric]);
        let bytes = serde_json::to_vec(&file).unwrap();
        let error = read(&bytes, Some(PASSWORD)).unwrap_err();
        assert!(matches!(error, Error::BackupUnsupported { .. }), "{error}");
    }

    #[test]
    fn origins_that_cannot_be_bound_are_dropped_on_reading() {
        let mut file = json(&write(&entries(), None).unwrap());
        file["db"]["entries"][0]["otentik"]["origins"] = serde_json::json!([
            "https://LPSE.example/",
            "http://phish.example",
            7,
            "ftp://x"
        ]);
        let import = read(&serde_json::to_vec(&file).unwrap(), None).unwrap();
        assert_eq!(import.entries[0].extra.origins, ["https://lpse.example"]);
    }

    #[test]
    fn newer_versions_are_refused_with_a_clear_message() {
        let mut file = json(&write(&entries(), None).unwrap());
        file["db"]["version"] = 4.into();
        let error = read(&serde_json::to_vec(&file).unwrap(), None).unwrap_err();
        assert!(matches!(error, Error::BackupUnsupported { .. }), "{error}");
        assert!(error.to_string().contains("content version 4"), "{error}");
        file["version"] = 2.into();
        let error = read(&serde_json::to_vec(&file).unwrap(), None).unwrap_err();
        assert!(error.to_string().contains("file version 2"), "{error}");
    }

    #[test]
    fn minimal_entries_and_skips() {
        let vault = br#"{"version": 1, "header": {"slots": null, "params": null}, "db": {"version": 1,
            "entries": [
                {"type": "totp", "name": "only", "info": {"secret": "JBSWY3DPEHPK3PXP"}},
                {"type": "motp", "name": "m", "issuer": "K", "info": {"secret": "abcdef0123456789", "algo": "MD5", "pin": "1234"}},
                {"type": "hotp", "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "MD5", "counter": 1}},
                {"type": "totp", "issuer": "X", "info": {"secret": "JBSWY3DPEHPK3PXP"}, "otentik": {"added_at": "soon", "push_url": 3}},
                7
            ]}}"#;
        let import = read(vault, None).unwrap();
        assert_eq!(import.entries.len(), 2);
        assert_eq!(import.entries[0].account.name, "only");
        assert_eq!(import.entries[1].extra, Extra::default());
        let skipped: Vec<(&str, &str)> = import
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 3);
        assert_eq!(skipped[0], ("K: m", super::super::uri::MOTP));
        assert_eq!(skipped[1].0, "entry 3");
        assert!(skipped[1].1.contains("MD5"));
        assert_eq!(skipped[2].0, "entry 5");
    }

    #[test]
    fn old_password_bytes_follow_javas_encoder() {
        // 60 ASCII characters: capacity (int)(60 × 1.1f) = 66.
        let password = "a".repeat(60);
        let old = old_password_bytes(&password);
        assert_eq!(old.len(), 66);
        assert_eq!(&old[..60], password.as_bytes());
        assert!(old[60..].iter().all(|&b| b == 0));
        // 10 three-byte characters: 11 is too small, then 23, then 47 ≥ 30.
        assert_eq!(old_password_bytes(&"–".repeat(10)).len(), 23 * 2 + 1);
        assert_eq!(old_password_bytes("").len(), 0);
    }
}
